"""Any LangChain chat model from a "provider:model" string, with errors that name the fix."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from dexagent.agents.errors import AgentSetupError
from dexagent.agents.redact import redact

EXTRAS = {"openai": "openai", "anthropic": "anthropic", "ollama": "ollama"}


def make_chat_model(spec: str, **kwargs: Any) -> BaseChatModel:
    """``make_chat_model("openai:gpt-4o-mini", temperature=0)``: keys come from the provider's
    own environment variables, never from our config or logs."""
    provider, sep, name = spec.partition(":")
    if not sep or not provider or not name:
        raise AgentSetupError(
            f"model {spec!r}: use 'provider:model', e.g. 'openai:gpt-4o-mini', "
            "'anthropic:claude-3-5-haiku-latest' or 'ollama:llama3.1'"
        )
    try:
        from langchain.chat_models import init_chat_model
    except ImportError:
        raise AgentSetupError("LLM agents need LangChain: pip install 'dexagent[llm]'") from None
    try:
        model = init_chat_model(spec, **kwargs)
    except ImportError:
        extra = EXTRAS.get(provider)
        hint = (
            f"pip install 'dexagent[{extra}]'"
            if extra
            else f"install LangChain's integration package for {provider!r}"
        )
        raise AgentSetupError(f"model {spec!r} needs the {provider} integration: {hint}") from None
    except Exception as exc:  # bad provider name, missing key: say so, without the key
        raise AgentSetupError(f"model {spec!r}: {redact(str(exc))}") from None
    if not isinstance(model, BaseChatModel):
        raise AgentSetupError(f"model {spec!r} is not a chat model ({type(model).__name__})")
    return model
