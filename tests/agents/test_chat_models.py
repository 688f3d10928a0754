"""make_chat_model: a missing provider package is a clear error naming the extra."""

from __future__ import annotations

import importlib.util

import pytest

from dexagent.agents import AgentSetupError, make_chat_model


@pytest.mark.skipif(
    importlib.util.find_spec("langchain_openai") is not None,
    reason="langchain-openai is installed here",
)
def test_a_missing_provider_names_the_extra_to_install() -> None:
    with pytest.raises(AgentSetupError, match=r"pip install 'dexagent\[openai\]'"):
        make_chat_model("openai:gpt-4o-mini")


@pytest.mark.skipif(
    importlib.util.find_spec("langchain_anthropic") is not None,
    reason="langchain-anthropic is installed here",
)
def test_a_missing_anthropic_package_names_its_extra() -> None:
    with pytest.raises(AgentSetupError, match=r"dexagent\[anthropic\]"):
        make_chat_model("anthropic:claude-3-5-haiku-latest")


def test_a_spec_without_provider_is_refused_with_examples() -> None:
    with pytest.raises(AgentSetupError, match="provider:model"):
        make_chat_model("gpt-4o-mini")
