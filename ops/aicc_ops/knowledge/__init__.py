"""The support line's knowledge base: documents, ingestion and versions, local hybrid search, and
the local extractive answerer (Bedrock Knowledge Base and Converse in AWS: aicc.adapters)."""
