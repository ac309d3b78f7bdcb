"""The chat: one question's run through the model and the engine's tools, and its lifecycle."""

from shared.assistant.runs import BackgroundRun, request_stop
from shared.assistant.session import ChatDeps, begin, continue_answer

__all__ = [
    "BackgroundRun",
    "ChatDeps",
    "begin",
    "continue_answer",
    "request_stop",
]
