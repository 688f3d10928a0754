"""Decision makers: the rule agent, LLM agents on LangChain, a committee, and their guard.

strategy = build_agent_strategy("rule", pair, audit=sink, choice_check=engine.check_strategy_choice)
result = await run_backtest_async(cfg, bars=bars, strategy=strategy, policy=engine, audit=sink)
strategy.decision_table()   # one row per decision, with the guard's outcome and the verdicts
"""

from dexagent.agents.cassette import CassetteChatModel
from dexagent.agents.chat_models import make_chat_model
from dexagent.agents.choices import ChoiceSpace, OutOfSchema
from dexagent.agents.committee import Committee, ReviewSchema
from dexagent.agents.decision import Decision, DecisionMaker, ModelCall, ModelRef
from dexagent.agents.errors import AgentSetupError, CassetteMiss
from dexagent.agents.factory import build_agent_strategy
from dexagent.agents.guard import DecisionRecord, Guard
from dexagent.agents.llm_agent import DecisionSchema, LlmAgent
from dexagent.agents.observation import LookaheadError, Observation, PastDecision, build_observation
from dexagent.agents.rule_agent import RuleAgent
from dexagent.agents.strategy import AgentParams, AgentStrategy
from dexagent.agents.usage import UsageReport

__all__ = [
    "AgentParams",
    "AgentSetupError",
    "AgentStrategy",
    "CassetteChatModel",
    "CassetteMiss",
    "ChoiceSpace",
    "Committee",
    "Decision",
    "DecisionMaker",
    "DecisionRecord",
    "DecisionSchema",
    "Guard",
    "LlmAgent",
    "LookaheadError",
    "ModelCall",
    "ModelRef",
    "Observation",
    "OutOfSchema",
    "PastDecision",
    "ReviewSchema",
    "RuleAgent",
    "UsageReport",
    "build_agent_strategy",
    "build_observation",
    "make_chat_model",
]
