"""AWS adapters: DynamoDB repositories and service clients (boto3)."""
