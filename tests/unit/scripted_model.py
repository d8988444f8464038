"""Test double: a chat model that follows a script, so agent plumbing is tested without a language model.

``GenericFakeChatModel`` has no ``bind_tools``; this subclass accepts the tools (and records their names) and
replays the script. A step is an ``AIMessage`` (e.g. one with ``tool_calls``) or a function of the messages so
far that returns one, so a step can use what a tool returned. ``seen`` keeps the messages of every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

Step = AIMessage | Callable[[list[BaseMessage]], AIMessage]


def call(tool: str, call_id: str = "call-1", **args) -> AIMessage:
    """An assistant turn that calls one tool."""
    return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": call_id, "type": "tool_call"}])


def last_tool_result(messages: list[BaseMessage]) -> str:
    return next(m.content for m in reversed(messages) if isinstance(m, ToolMessage))


class ScriptedChatModel(GenericFakeChatModel):
    messages: Iterator[Any] = Field(default_factory=lambda: iter(()))
    bound_tools: list[str] = Field(default_factory=list)
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @classmethod
    def from_steps(cls, *steps: Step) -> ScriptedChatModel:
        return cls(messages=iter(steps))

    def bind_tools(self, tools, **kwargs):
        self.bound_tools = [getattr(t, "name", str(t)) for t in tools]
        return self

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.seen.append(list(messages))
        try:
            step = next(self.messages)
        except StopIteration:
            raise AssertionError("the agent asked the model for more turns than the script has") from None
        message = step(messages) if callable(step) else step
        return ChatResult(generations=[ChatGeneration(message=message)])


class FailingChatModel(ScriptedChatModel):
    """A model whose provider is down: every call raises."""

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        raise ConnectionError("model provider unreachable")
