import json

import pytest

from aicc_ops.engine.template import TemplateError, placeholders, render

VARS = {"queues": {"msp_general": "arn:q/1"}, "prompts": {"hi": '안녕 "고객"님\n'}, "n": 60}


def test_renders_references_and_jsonencode() -> None:
    text = '{"q": "${queues.msp_general}", "t": ${jsonencode(prompts.hi)}, "n": "${n}"}'
    assert json.loads(render(text, VARS)) == {"q": "arn:q/1", "t": '안녕 "고객"님\n', "n": "60"}


def test_escapes_render_literally() -> None:
    assert render("$${keep} %%{keep}", VARS) == "${keep} %{keep}"


def test_unbound_variable_names_the_path() -> None:
    with pytest.raises(TemplateError, match=r"queues\.nope"):
        render("${queues.nope}", VARS)


def test_directives_and_expressions_are_rejected() -> None:
    with pytest.raises(TemplateError, match="directives"):
        list(placeholders("%{ if x }"))
    with pytest.raises(TemplateError, match="unsupported expression"):
        list(placeholders("${upper(prompts.hi)}"))


def test_collection_cannot_be_interpolated() -> None:
    with pytest.raises(TemplateError, match="collection"):
        render("${queues}", VARS)


def test_placeholders_report_lines() -> None:
    found = list(placeholders('a\n"${queues.msp_general}"\n${jsonencode(prompts.hi)}'))
    assert [(p.reference, p.function, p.line) for p in found] == [
        ("queues.msp_general", None, 2),
        ("prompts.hi", "jsonencode", 3),
    ]
