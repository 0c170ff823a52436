variable "name_prefix" {
  description = "Prefix of the vocabulary's name (<name_prefix>-terms-ko-KR)."
  type        = string
}

variable "instance_id" {
  description = "The Connect instance whose Contact Lens uses the vocabulary."
  type        = string
}

variable "content" {
  description = "The vocabulary in Transcribe's table format (vocabulary.ko-KR.tsv); empty: none is created."
  type        = string

  validation {
    # CreateVocabulary's Content: "The size limit is 50KB" (API_CreateVocabulary.html).
    condition     = length(var.content) <= 51200
    error_message = "The vocabulary is larger than Connect's 50 KB limit."
  }
}

variable "tags" {
  description = "Tags of the vocabulary."
  type        = map(string)
  default     = {}
}
