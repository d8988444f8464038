"""Every setting of the commons, declared once: name, default, help and environment variable.

Read a value with ``setting("home")``; the environment variable wins over the default. The operators'
reference page (docs/operators/settings.md) is generated from this table and a test keeps it in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from commons_kernel.exceptions import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str
    parse: Callable[[str], object] = str

    def read(self) -> object:
        raw = os.environ.get(self.env, self.default)
        try:
            return self.parse(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"{self.env}={raw!r} is not valid for setting {self.name!r}: {exc}. "
                f"{self.help} Default: {self.default!r}."
            ) from exc


def _port(raw: str) -> int:
    port = int(raw)
    if not 0 < port < 65536:
        raise ValueError("a port is a whole number from 1 to 65535")
    return port


def _fraction(raw: str) -> float:
    value = float(raw)
    if not 0 <= value <= 1:
        raise ValueError("expected a number from 0 to 1")
    return value


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true or false")


def _default_seed_dir() -> str:
    shared = PROJECT_ROOT.parent / "shared" / "data"
    return str(shared) if shared.is_dir() else ""


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("home", "COMMONS_HOME", str(PROJECT_ROOT / "var"),
                "State directory: datasets, governance database, hub database, secrets, logs."),
        Setting("seed_dir", "COMMONS_SEED_DIR", _default_seed_dir(),
                "Directory of seed files that `commons init` ingests (defaults to ../shared/data when present)."),
        Setting("catalog_dir", "COMMONS_CATALOG_DIR", str(PROJECT_ROOT / "catalog"),
                "Directory holding catalog.yaml and one metadata file per dataset under datasets/."),
        Setting("db_url", "COMMONS_DB_URL", "",
                "SQLAlchemy URL of the governance and audit database; empty means SQLite at $COMMONS_HOME/governance.sqlite."),
        Setting("port", "COMMONS_PORT", "8000", "Public port of the hub's proxy (bound to 127.0.0.1).", _port),
        Setting("bind_ip", "COMMONS_BIND_IP", "127.0.0.1",
                "Address every server binds; keep loopback unless a TLS-terminating proxy sits in front."),
        Setting("hub_url", "COMMONS_HUB_URL", "",
                "Public URL of the hub as seen from a kernel or script (default http://127.0.0.1:$COMMONS_PORT)."),
        Setting("data_api_url", "COMMONS_DATA_API_URL", "",
                "URL of the data-api service (default: $COMMONS_HUB_URL/services/data-api/)."),
        Setting("api_token", "COMMONS_API_TOKEN", "",
                "API token for scripts outside the hub; inside the hub JUPYTERHUB_API_TOKEN is used."),
        Setting("request_timeout", "COMMONS_REQUEST_TIMEOUT", "120",
                "Seconds a data-api request may take before the client gives up.", float),
        Setting("disclosure_threshold", "COMMONS_DISCLOSURE_THRESHOLD", "10",
                "Smallest count a released table cell may hold (ACRO's `safe_threshold`).", int),
        Setting("disclosure_p_ratio", "COMMONS_DISCLOSURE_P_RATIO", "0.1",
                "p-ratio dominance rule: a cell fails when the rest minus the top two is below this share of the top.",
                _fraction),
        Setting("disclosure_nk_n", "COMMONS_DISCLOSURE_NK_N", "2", "nk dominance rule: the n largest contributors.", int),
        Setting("disclosure_nk_k", "COMMONS_DISCLOSURE_NK_K", "0.9",
                "nk dominance rule: the n largest may hold at most this share of a cell's total.", _fraction),
        Setting("disclosure_dof", "COMMONS_DISCLOSURE_DOF", "10",
                "Smallest residual degrees of freedom a released model may have.", int),
        Setting("assistant_model", "COMMONS_ASSISTANT_MODEL", "",
                "langchain chat model as provider:model (e.g. openai:gpt-4o-mini, ollama:llama3); empty: no model, "
                "semantic search only."),
        Setting("stories_dir", "COMMONS_STORIES_DIR", str(PROJECT_ROOT / "stories"),
                "Folder of stories (one sub-folder per story with story.yaml and story.ipynb)."),
        Setting("stories_refresh_on_start", "COMMONS_STORIES_REFRESH_ON_START", "true",
                "The refresher publishes every story not yet published when it starts (in the background).", _bool),
        Setting("show_user_names", "COMMONS_REGISTER_SHOW_NAMES", "false",
                "Show members' user names on the public register (otherwise their organisations).", _bool),
        # Cooperative decisions: the quorum rule (commons_hub.quorum), one setting per part.
        Setting("quorum_min_votes", "COMMONS_QUORUM_MIN_VOTES", "3",
                "Votes (approve, reject or abstain) a proposal needs before it is decided.", int),
        Setting("quorum_min_stewards", "COMMONS_QUORUM_MIN_STEWARDS", "1",
                "Stewards who must be among the voters before a proposal is decided.", int),
        Setting("quorum_approve_share", "COMMONS_QUORUM_APPROVE_SHARE", "0.5",
                "A decided proposal is approved when more than this share of its approve and reject votes approve "
                "(abstentions count towards the quorum, not the majority).", _fraction),
        Setting("owner_veto", "COMMONS_OWNER_VETO", "true",
                "A reject vote by someone speaking for the `owner` of a restricted dataset the proposal names "
                "rejects it at once.", _bool),
    ]
}


def setting(name: str):
    """The current value of setting ``name`` (environment variable first, then default)."""
    try:
        return SETTINGS[name].read()
    except KeyError:
        raise ConfigurationError(f"No setting called {name!r}; known: {', '.join(sorted(SETTINGS))}") from None


def home() -> Path:
    return Path(setting("home")).resolve()


def hub_url() -> str:
    return setting("hub_url") or f"http://127.0.0.1:{setting('port')}"


def data_api_url() -> str:
    url = setting("data_api_url") or hub_url().rstrip("/") + "/services/data-api/"
    return url if url.endswith("/") else url + "/"
