"""The language-model path: a langchain agent over the metadata tools.

The model is named by the ``assistant_model`` setting (a langchain ``provider:model`` string for
``init_chat_model``) or passed in as a chat model object. Citations come from the tools the agent called, never
from names the model wrote, so an answer cites only datasets that exist.
"""

from __future__ import annotations

from langchain.agents import create_agent
from langchain_core.messages import AIMessage

from commons_kernel import config
from commons_kernel.assistant.answer import Answer
from commons_kernel.assistant.knowledge import Knowledge
from commons_kernel.assistant.tools import ToolLog, make_tools
from commons_kernel.exceptions import ConfigurationError

RECURSION_LIMIT = 16  # model ↔ tool round trips before the agent gives up

SYSTEM_PROMPT = """\
You are the assistant of the Liverpool City Region Data Commons, a data cooperative for Halton, Knowsley,
Liverpool, St Helens, Sefton and Wirral. You help residents and analysts find data in the commons' catalogue.
Use the tools: search_datasets first, then describe_dataset, how_to_get_access, code_snippet and stories_using.
Rules:
- Answer only from what the tools return. If search finds only weak matches, say plainly that the catalogue does
  not hold this data.
- Cite every dataset you recommend by its name, title and licence.
- Never show, invent or estimate rows or figures of any dataset; you see metadata only.
- For community or restricted data, explain how to get access (how_to_get_access); do not suggest ways round it.
- Give working code from code_snippet; do not write your own.
- Use plain English for residents; be precise for analysts.
"""


def resolve_model(model=None):
    """A chat model, or None for no model. ``model``: None (use the setting), "" (none), "provider:model", or a
    langchain chat model object."""
    spec = config.setting("assistant_model") if model is None else model
    if not spec:
        return None
    if not isinstance(spec, str):
        return spec
    from langchain.chat_models import init_chat_model

    try:
        return init_chat_model(spec)
    except (ImportError, ValueError) as exc:
        raise ConfigurationError(
            f"assistant_model={spec!r} cannot be used: {exc}. Give a langchain provider:model string whose "
            "provider package is installed (e.g. `pip install langchain-ollama` for ollama:llama3), or set "
            "COMMONS_ASSISTANT_MODEL to empty for catalogue search without a model."
        ) from exc


def _final_text(messages) -> str:
    for message in reversed(messages):
        if isinstance(message, AIMessage) and not message.tool_calls:
            content = message.content
            if isinstance(content, list):  # content blocks: keep the text ones
                content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
            return str(content).strip()
    return ""


def agent_answer(model, knowledge: Knowledge, question: str, user: str | None = None) -> Answer:
    """Run the agent on one question. Raises whatever the model provider raises; the caller decides to fall back."""
    tool_log = ToolLog()
    agent = create_agent(model, make_tools(knowledge, user, tool_log), system_prompt=SYSTEM_PROMPT)
    state = agent.invoke(
        {"messages": [{"role": "user", "content": question}]}, config={"recursion_limit": RECURSION_LIMIT}
    )
    text = _final_text(state["messages"])
    scores: dict[str, float] = {}
    for name, score in tool_log.searched:
        scores.setdefault(name, score)
    names = list(tool_log.datasets)
    if not names:  # the model only searched: cite the hits it mentions, in rank order
        names = [name for name in scores if name in text]
    cited = [knowledge.citation(name, scores.get(name)) for name in names if name in knowledge.datasets]
    snippet = (
        tool_log.snippets[-1] if tool_log.snippets else (knowledge.snippet(cited[0]["name"], question) if cited else "")
    )
    return Answer(text or "The model gave no answer.", cited, snippet, used_model=True, answered=bool(text))
