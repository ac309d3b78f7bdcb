"""The chat: one question's run through the model and the engine's tools, and its lifecycle."""

from shared.assistant.cards import model_text
from shared.assistant.runs import BackgroundRun, request_stop
from shared.assistant.session import ChatDeps, begin, calendar_ahead, continue_answer, exchange_today
from shared.assistant.tools import RUN_QUERY, tool_definitions

__all__ = [
    "RUN_QUERY",
    "BackgroundRun",
    "ChatDeps",
    "begin",
    "calendar_ahead",
    "continue_answer",
    "exchange_today",
    "model_text",
    "request_stop",
    "tool_definitions",
]
