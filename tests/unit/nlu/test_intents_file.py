"""intents.yaml: the intents issue 11 names, slots resolved as Lex does, utterances Lex V2 accepts,
and no evaluation utterance among the training examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aicc.domain.dialog import capture_slots, offer_answers
from aicc.settings import load_config
from aicc_ops.engine.nlu.examples import training_examples
from aicc_ops.engine.nlu.text import normalize

INTENTS = load_config().intents
EVAL = Path(__file__).resolve().parents[2] / "data" / "nlu_eval.jsonl"
MENU = {
    "ReportOutage", "TechnicalInquiry", "BillingInquiry", "AccountAccess", "RequestCallback",
    "TalkToAgent", "SalesContact", "EmailSupport", "RepeatMenu",
}  # fmt: skip
# Lex V2 build-time quotas (https://docs.aws.amazon.com/lexv2/latest/dg/quotas.html): characters
# per sample utterance, utterances per intent, utterance characters per non-English locale,
# values and synonyms per custom slot type.
MAX_UTTERANCE_CHARS, MAX_PER_INTENT, MAX_LOCALE_CHARS, MAX_SLOT_VALUES = 500, 1500, 200_000, 10_000
# Letters, digits, spaces, apostrophes ("I'm") and {Slot} references: no other punctuation.
_UTTERANCE = re.compile(r"^(\{\w+\}|[^\W_]|\s|')+$")


def test_the_how_can_i_help_intents_sit_next_to_the_capture_intents() -> None:
    names = set(INTENTS["intents"])
    captures = set(capture_slots(INTENTS))
    offers = {"Decline", "Confirm", "StartOver"}
    assert offer_answers(INTENTS) == offers  # heard only where a question's menu keys name them
    assert names == MENU | captures | offers
    assert captures == {
        "ProvideCompanyName",
        "ProvideContactName",
        "ProvideAccountDigits",
        "DescribeIncident",
    }
    assert "RequestAgent" not in names and "FallbackIntent" not in names  # Lex's built-in, added by Terraform


def test_service_name_resolves_to_the_canonical_names_with_hangul_synonyms() -> None:
    service = INTENTS["slot_types"]["ServiceName"]
    assert service["resolution"] == "TopResolution"
    assert service["values"] == [
        "EC2", "RDS", "S3", "IAM", "CloudFront", "EKS", "DirectConnect", "VPN", "Route53", "Lambda", "DynamoDB",
    ]  # fmt: skip
    assert set(service["synonyms"]) <= set(service["values"])
    for value, said in (("EC2", "이씨투"), ("RDS", "알디에스"), ("DynamoDB", "다이나모 디비")):
        assert said in service["synonyms"][value]
    forms = [v.lower() for v in service["values"]] + [
        s.lower() for ss in service["synonyms"].values() for s in ss
    ]
    assert len(forms) == len(set(forms)), "a synonym repeats a value or another synonym"
    assert len(forms) <= MAX_SLOT_VALUES


def test_sample_utterances_follow_lex_v2s_rules() -> None:
    for locale in INTENTS["locales"]:
        total = 0
        for name, spec in INTENTS["intents"].items():
            utterances = spec["utterances"].get(locale, [])
            assert len(utterances) <= MAX_PER_INTENT, name
            assert len(set(utterances)) == len(utterances), f"{name}: a duplicate utterance"
            for u in utterances:
                assert _UTTERANCE.match(u), f"{locale} {name}: {u!r} has punctuation"
                assert len(u) <= MAX_UTTERANCE_CHARS
                total += len(u)
        assert total <= MAX_LOCALE_CHARS


def test_the_new_intents_are_said_many_ways() -> None:
    for name in MENU:
        assert len(INTENTS["intents"][name]["utterances"]["ko_KR"]) >= 10, name  # Lex: "10 or more"


def test_no_evaluation_utterance_is_trained_on() -> None:
    # (A few evaluation lines are short phrases said run together, "기술문의": spacing is what
    # they test, so they differ from the training text "기술 문의" on purpose.)
    trained = {e.text for locale in INTENTS["locales"] for e in training_examples(INTENTS, locale)}
    evaluated = [json.loads(line)["text"] for line in EVAL.read_text(encoding="utf-8").splitlines()]
    leaked = [t for t in evaluated if normalize(t) in trained]
    assert leaked == []
