"""The wording of prompts.yaml as Korean callers hear it."""

from __future__ import annotations

import re

import pytest

from aicc.settings import config

KOREAN = {key: p.text("ko-KR") for key, p in config().prompts.items()}


@pytest.mark.parametrize("key", sorted(KOREAN))
def test_copula_attaches_to_the_word_before_it(key: str) -> None:
    # "9시입니다", not "9시 입니다"; after a reference, $.Attributes.['x']입니다 keeps the name apart.
    text = KOREAN[key]
    assert not re.search(r"\s입니(다|까)", text), f"{key}: {text}"
    assert not re.search(r"\$\.[A-Za-z]+(\.[A-Za-z0-9_-]+)+[가-힣]", text), f"{key}: quote the name: {text}"
