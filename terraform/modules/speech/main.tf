# The ko-KR custom vocabulary of the domain's terms (service names as callers say them), for
# Contact Lens: it transcribes every call with the instance's default vocabulary of the language
# (https://docs.aws.amazon.com/connect/latest/adminguide/add-custom-vocabulary.html). The content
# is generated from intents.yaml (`aicc-ops speech vocabulary --write`); no terms, no vocabulary.
resource "aws_connect_vocabulary" "terms" {
  count = var.content == "" ? 0 : 1

  instance_id   = var.instance_id
  name          = "${var.name_prefix}-terms-ko-KR"
  language_code = "ko-KR"
  content       = var.content

  tags = var.tags
}
