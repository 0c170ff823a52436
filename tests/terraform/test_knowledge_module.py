"""The knowledge module without AWS: its CloudFormation template passes cfn-lint (the resource
schemas CloudFormation validates with), and a `knowledge: true` function gets exactly its grants."""

from __future__ import annotations

import json
import re
from pathlib import Path

import hcl2
from hcl_files import parsed

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "terraform" / "modules" / "knowledge"
LAMBDAS = ROOT / "terraform" / "modules" / "lambdas"


def rendered_template() -> dict[str, object]:
    """knowledge.cfn.json.tftpl with the values main.tf passes, rendered as templatefile would."""
    text = (MODULE / "knowledge.cfn.json.tftpl").read_text(encoding="utf-8")
    values = {
        "name_prefix": "aicc-dev",
        "index_name": "aicc-knowledge",
        "vector_field": "embedding",
        "text_field": "AMAZON_BEDROCK_TEXT_CHUNK",
        "metadata_field": "AMAZON_BEDROCK_METADATA",
        "dimensions": "1024",
        "guardrail_profile_arn": "arn:aws:bedrock:ap-northeast-2:111122223333:guardrail-profile/apac.guardrail.v1:0",
        "grounding_threshold": "0.75",
        "relevance_threshold": "0.5",
        "guardrail_version_description": "grounding 0.75, relevance 0.5",
        "tags": json.dumps([{"Key": "Project", "Value": "aicc-ops"}]),
    }
    text = re.sub(r"\$\{jsonencode\((\w+)\)\}", lambda m: json.dumps(f"<{m.group(1)}>"), text)
    placeholders = set(re.findall(r"\$\{(\w+)\}", text))
    assert placeholders <= set(values), placeholders - set(values)
    for key, value in values.items():
        text = text.replace("${" + key + "}", value)
    return dict(json.loads(text))


def test_every_template_placeholder_is_passed_by_main_tf() -> None:
    main = (MODULE / "main.tf").read_text(encoding="utf-8")
    call = main[main.index('templatefile("${path.module}/knowledge.cfn.json.tftpl"') :]
    call = call[: call.index("})")]
    passed = set(re.findall(r"^\s+(\w+)\s+=", call, flags=re.M))
    used = set(
        re.findall(r"\$\{(?:jsonencode\()?(\w+)\)?\}", (MODULE / "knowledge.cfn.json.tftpl").read_text())
    )
    assert used == passed


def test_the_index_and_guardrail_template_passes_cfn_lint() -> None:
    from cfnlint.api import ManualArgs, lint

    matches = lint(json.dumps(rendered_template()), config=ManualArgs(regions=["ap-northeast-2"]))
    problems = [f"{m.rule.id} {m.path_string}: {m.message}" for m in matches if m.rule.id[0] in "EW"]
    assert problems == []


def test_the_guardrail_works_in_korean_and_checks_grounding() -> None:
    guardrail = rendered_template()["Resources"]["Guardrail"]["Properties"]  # type: ignore[index]
    # Korean needs the STANDARD tier, which needs a cross-Region profile.
    assert guardrail["ContentPolicyConfig"]["ContentFiltersTierConfig"]["TierName"] == "STANDARD"
    assert guardrail["TopicPolicyConfig"]["TopicsTierConfig"]["TierName"] == "STANDARD"
    assert "guardrail-profile/" in guardrail["CrossRegionConfig"]["GuardrailProfileArn"]
    types = {f["Type"] for f in guardrail["ContextualGroundingPolicyConfig"]["FiltersConfig"]}
    assert types == {"GROUNDING", "RELEVANCE"}


def test_the_knowledge_base_field_mapping_is_the_index_the_template_creates() -> None:
    kb = parsed(MODULE)["resource"]["aws_bedrockagent_knowledge_base"]["this"]
    mapping = kb["storage_configuration"][0]["opensearch_serverless_configuration"][0]["field_mapping"][0]
    locals_ = parsed(MODULE)["locals"]["fields"]
    assert {mapping["vector_field"], mapping["text_field"], mapping["metadata_field"]} == {
        "${local.fields.vector}",
        "${local.fields.text}",
        "${local.fields.metadata}",
    }
    assert set(locals_) == {"vector", "text", "metadata"}
    assert "aws_cloudformation_stack.this" in str(kb["depends_on"])  # the index exists first


def test_a_knowledge_function_gets_retrieve_converse_and_the_guardrail_and_its_four_variables() -> None:
    text = (LAMBDAS / "main.tf").read_text(encoding="utf-8")
    hcl2.loads(text)
    for action, resource in (
        ("bedrock:Retrieve", "var.knowledge.knowledge_base_arn"),
        ("bedrock:InvokeModel", "var.knowledge.answer_model_arns"),
        ("bedrock:ApplyGuardrail", "var.knowledge.guardrail_arn"),
    ):
        assert re.search(rf'actions = \["{action}"\], resources = \[?{re.escape(resource)}', text), action
    from aicc.adapters import knowledge as adapter

    source = Path(adapter.__file__).read_text(encoding="utf-8")
    for variable in re.findall(r'_env\("(\w+)"', source):
        assert re.search(rf"{variable}\s+= var\.knowledge\.", text), variable
    assert len(re.findall(r'_env\("(\w+)"', source)) == 4
