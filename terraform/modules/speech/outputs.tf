output "vocabulary_id" {
  description = "The vocabulary's ID (null when there are no terms): AssociateDefaultVocabulary makes it the ko-KR default."
  value       = one(aws_connect_vocabulary.terms[*].vocabulary_id)
}
