"""Every setting of the commons, declared once: name, default, help and environment variable.

Read a value with ``setting("home")``; the environment variable wins over the default. The operators'
reference page (docs/operators/settings.md) is generated from this table and a test keeps it in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


def _isolation(raw: str) -> str:
    value = raw.strip().lower()
    if value not in {"auto", "on", "off"}:
        raise ValueError("expected auto, on or off")
    return value


def _positive(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("expected a whole number of 1 or more")
    return value


def _default_seed_dir() -> str:
    shared = PROJECT_ROOT.parent / "shared" / "data"
    return str(shared) if shared.is_dir() else ""


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "home",
            "COMMONS_HOME",
            str(PROJECT_ROOT / "var"),
            "State directory: datasets, governance database, hub database, secrets, logs.",
        ),
        Setting(
            "seed_dir",
            "COMMONS_SEED_DIR",
            _default_seed_dir(),
            "Directory of seed files that `commons init` ingests (defaults to ../shared/data when present).",
        ),
        Setting(
            "catalog_dir",
            "COMMONS_CATALOG_DIR",
            str(PROJECT_ROOT / "catalog"),
            "Directory holding catalog.yaml and one metadata file per dataset under datasets/.",
        ),
        Setting(
            "db_url",
            "COMMONS_DB_URL",
            "",
            "SQLAlchemy URL of the governance and audit database; "
            "empty means SQLite at $COMMONS_HOME/governance.sqlite.",
        ),
        Setting(
            "hub_db_url",
            "COMMONS_HUB_DB_URL",
            "",
            "SQLAlchemy URL of JupyterHub's own database (users, servers, tokens); empty means SQLite at "
            "$COMMONS_HOME/jupyterhub.sqlite. PostgreSQL: postgresql+psycopg://USER:PASSWORD@HOST/DB.",
        ),
        # Object storage (commons_hub.store_files, docs/operators/storage.md).
        Setting(
            "store_url",
            "COMMONS_STORE_URL",
            "",
            "Where dataset versions and manifests are kept: empty means $COMMONS_HOME/datasets; s3://BUCKET/PREFIX "
            "puts them in an S3-compatible bucket (only the data-api and operators' commands get its credentials).",
        ),
        Setting(
            "s3_endpoint_url",
            "COMMONS_S3_ENDPOINT_URL",
            "",
            "Endpoint of an S3-compatible server (MinIO, Ceph, a cloud's own); empty means AWS S3.",
        ),
        Setting(
            "s3_credentials_file",
            "COMMONS_S3_CREDENTIALS_FILE",
            "",
            "AWS-style INI file ([default] aws_access_key_id, aws_secret_access_key) readable only by the "
            "data-api's account; empty means the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.",
        ),
        Setting(
            "s3_read_credentials_file",
            "COMMONS_S3_READ_CREDENTIALS_FILE",
            "",
            "The same, with a read-only key, for the services that read manifests (the register), which never get "
            "the data-api's credentials; empty means those services read no object store.",
        ),
        # Walls: who runs what (commons_hub.isolation, docs/operators/isolation.md).
        Setting(
            "isolation",
            "COMMONS_ISOLATION",
            "auto",
            "auto: when `commons up` runs as root, each person's server runs as their own Unix account and the "
            "services as the service account; on: the same, and refuse to start unless root; off: one account "
            "for everything (for trying it out only).",
            _isolation,
        ),
        Setting(
            "service_user",
            "COMMONS_SERVICE_USER",
            "commons",
            "Unix account the services (data-api, register, refresher) run as; it alone owns the state directory.",
        ),
        Setting(
            "public_user",
            "COMMONS_PUBLIC_USER",
            "commons-public",
            "Unix account of the public stories service and its kernels: it can read only the published stories.",
        ),
        Setting(
            "unix_user_prefix",
            "COMMONS_UNIX_USER_PREFIX",
            "commons-u-",
            "Prefix of the Unix account made for each hub user (analyst1 runs as commons-u-analyst1).",
        ),
        Setting(
            "public_dir",
            "COMMONS_PUBLIC_DIR",
            "",
            "Published story snapshots, readable by the public account (default: $COMMONS_HOME-public).",
        ),
        Setting(
            "users_dir",
            "COMMONS_USERS_DIR",
            "",
            "Home directories of the hub users' accounts (default: $COMMONS_HOME-users).",
        ),
        Setting("port", "COMMONS_PORT", "8000", "Public port of the hub's proxy (bound to 127.0.0.1).", _port),
        Setting(
            "bind_ip",
            "COMMONS_BIND_IP",
            "127.0.0.1",
            "Address every server binds; keep loopback unless a TLS-terminating proxy sits in front.",
        ),
        Setting(
            "hub_url",
            "COMMONS_HUB_URL",
            "",
            "Public URL of the hub as seen from a kernel or script (default http://127.0.0.1:$COMMONS_PORT).",
        ),
        Setting(
            "data_api_url",
            "COMMONS_DATA_API_URL",
            "",
            "URL of the data-api service (default: $COMMONS_HUB_URL/services/data-api/).",
        ),
        Setting(
            "api_token",
            "COMMONS_API_TOKEN",
            "",
            "API token for scripts outside the hub; inside the hub JUPYTERHUB_API_TOKEN is used.",
        ),
        Setting(
            "request_timeout",
            "COMMONS_REQUEST_TIMEOUT",
            "120",
            "Seconds a data-api request may take before the client gives up.",
            float,
        ),
        Setting(
            "tracebacks",
            "COMMONS_TRACEBACKS",
            "false",
            "Show the full traceback of commons errors in notebooks (otherwise a short message with the next "
            "step; `ck.show_traceback()` shows the last one's).",
            _bool,
        ),
        Setting(
            "disclosure_threshold",
            "COMMONS_DISCLOSURE_THRESHOLD",
            "10",
            "Smallest count a released table cell may hold (ACRO's `safe_threshold`).",
            int,
        ),
        Setting(
            "disclosure_p_ratio",
            "COMMONS_DISCLOSURE_P_RATIO",
            "0.1",
            "p-ratio dominance rule: a cell fails when the rest minus the top two is below this share of the top.",
            _fraction,
        ),
        Setting(
            "disclosure_nk_n", "COMMONS_DISCLOSURE_NK_N", "2", "nk dominance rule: the n largest contributors.", int
        ),
        Setting(
            "disclosure_nk_k",
            "COMMONS_DISCLOSURE_NK_K",
            "0.9",
            "nk dominance rule: the n largest may hold at most this share of a cell's total.",
            _fraction,
        ),
        Setting(
            "disclosure_dof",
            "COMMONS_DISCLOSURE_DOF",
            "10",
            "Smallest residual degrees of freedom a released model may have.",
            int,
        ),
        Setting(
            "assistant_model",
            "COMMONS_ASSISTANT_MODEL",
            "",
            "langchain chat model as provider:model (e.g. openai:gpt-4o-mini, ollama:llama3); empty: no model, "
            "semantic search only.",
        ),
        Setting(
            "stories_dir",
            "COMMONS_STORIES_DIR",
            str(PROJECT_ROOT / "stories"),
            "Folder of stories (one sub-folder per story with story.yaml and story.ipynb).",
        ),
        Setting(
            "stories_refresh_on_start",
            "COMMONS_STORIES_REFRESH_ON_START",
            "true",
            "The refresher publishes every story not yet published when it starts (in the background).",
            _bool,
        ),
        Setting(
            "show_user_names",
            "COMMONS_REGISTER_SHOW_NAMES",
            "false",
            "Show members' user names on the public register (otherwise their organisations).",
            _bool,
        ),
        # Cooperative decisions: the quorum rule (commons_hub.governance.quorum), one setting per part.
        Setting(
            "quorum_min_votes",
            "COMMONS_QUORUM_MIN_VOTES",
            "3",
            "Votes (approve, reject or abstain) a proposal needs before it is decided.",
            int,
        ),
        Setting(
            "quorum_min_stewards",
            "COMMONS_QUORUM_MIN_STEWARDS",
            "1",
            "Stewards who must be among the voters before a proposal is decided.",
            int,
        ),
        Setting(
            "quorum_approve_share",
            "COMMONS_QUORUM_APPROVE_SHARE",
            "0.5",
            "A decided proposal is approved when more than this share of its approve and reject votes approve "
            "(abstentions count towards the quorum, not the majority).",
            _fraction,
        ),
        Setting(
            "owner_veto",
            "COMMONS_OWNER_VETO",
            "true",
            "A reject vote by someone speaking for the `owner` of a restricted dataset the proposal names "
            "rejects it at once.",
            _bool,
        ),
        # Reads: the stated purpose is kept in the audit log and shown on the register (commons_hub.purpose).
        Setting(
            "purpose_min_words",
            "COMMONS_PURPOSE_MIN_WORDS",
            "3",
            "Words a read's stated purpose must have at least (a word is a run of 2 or more letters).",
            int,
        ),
        # Bounded resources: public Voilà kernels (commons_hub.services.stories.capacity, docs/operators/limits.md).
        Setting(
            "stories_max_kernels_per_story",
            "COMMONS_STORIES_MAX_KERNELS_PER_STORY",
            "3",
            "Live kernels one story app may hold at once, its preheated one included; past it residents get "
            "the story's static page.",
            _positive,
        ),
        Setting(
            "stories_max_kernels",
            "COMMONS_STORIES_MAX_KERNELS",
            "8",
            "Live kernels the public stories service may hold in total (each takes about 230 MB).",
            _positive,
        ),
        Setting(
            "stories_kernel_idle_seconds",
            "COMMONS_STORIES_KERNEL_IDLE_SECONDS",
            "45",
            "A story app's kernel idle this long (no widget used) is stopped, even with its tab open.",
            _positive,
        ),
        Setting(
            "stories_cull_interval_seconds",
            "COMMONS_STORIES_CULL_INTERVAL_SECONDS",
            "10",
            "How often idle story kernels are looked for (idle seconds + this = the longest an idle one lives).",
            _positive,
        ),
        Setting(
            "stories_sessions_per_minute",
            "COMMONS_STORIES_SESSIONS_PER_MINUTE",
            "10",
            "Live app sessions one client address may open per minute; past it they get the static page.",
            _positive,
        ),
        # Bounded resources: uploads (commons_kernel.standard.shape, commons_kernel.upload_budget).
        Setting(
            "upload_max_columns",
            "COMMONS_UPLOAD_MAX_COLUMNS",
            "500",
            "Columns an uploaded table may have; checked from the header (or Parquet schema, or sheet "
            "dimension) before the file is parsed.",
            _positive,
        ),
        Setting(
            "upload_max_cells",
            "COMMONS_UPLOAD_MAX_CELLS",
            "2000000",
            "Cells (rows x columns) an uploaded table may have; checked before the file is parsed.",
            _positive,
        ),
        Setting(
            "upload_check_seconds",
            "COMMONS_UPLOAD_CHECK_SECONDS",
            "60",
            "Seconds the checks of one upload may take (they run in a child process that is stopped then).",
            _positive,
        ),
        Setting(
            "upload_check_memory_mb",
            "COMMONS_UPLOAD_CHECK_MEMORY_MB",
            "2048",
            "Memory (MB of address space, beyond the checker's own) the checks of one upload may use.",
            _positive,
        ),
        # Identity: who signs in (commons_hub.identity, docs/operators/identity.md).
        Setting(
            "demo_accounts",
            "COMMONS_DEMO_ACCOUNTS",
            "true",
            "Create the demo people (analyst1, steward, checker...) at first start, each with their own password, "
            "printed once by `commons up` and stored only as a hash; false: only the admin (to approve sign-ups). "
            "Ignored with single sign-on.",
            _bool,
        ),
        Setting(
            "signup",
            "COMMONS_SIGNUP",
            "true",
            "People may ask for an account at /hub/signup; a steward or admin approves them at /hub/authorize "
            "and they join the members group.",
            _bool,
        ),
        Setting(
            "oidc_issuer",
            "COMMONS_OIDC_ISSUER",
            "",
            "OpenID Connect issuer of the council's single sign-on (https://...); set, it replaces commons "
            "accounts and sign-up.",
        ),
        Setting("oidc_client_id", "COMMONS_OIDC_CLIENT_ID", "", "Client (application) id registered with the issuer."),
        Setting(
            "oidc_client_secret_file",
            "COMMONS_OIDC_CLIENT_SECRET_FILE",
            "",
            "File holding the client secret (mode 0600); the secret itself is never a setting.",
        ),
        Setting("oidc_groups_claim", "COMMONS_OIDC_GROUPS_CLAIM", "groups", "Claim that lists the person's groups."),
        Setting(
            "oidc_group_map",
            "COMMONS_OIDC_GROUP_MAP",
            "",
            "Council groups to hub groups as CLAIM=GROUP,... (GROUP: members, stewards, checkers, admin or an "
            "owner group); every mapped person is a member; people with no mapped group are refused.",
        ),
        Setting(
            "oidc_username_claim",
            "COMMONS_OIDC_USERNAME_CLAIM",
            "preferred_username",
            "Claim that becomes the hub user name.",
        ),
        Setting("oidc_scopes", "COMMONS_OIDC_SCOPES", "openid profile email", "Scopes asked of the issuer."),
        Setting(
            "oidc_claims_from_id_token",
            "COMMONS_OIDC_CLAIMS_FROM_ID_TOKEN",
            "false",
            "Read the claims from the id token instead of the userinfo endpoint (Entra ID puts groups there only).",
            _bool,
        ),
        Setting(
            "oidc_callback_url",
            "COMMONS_OIDC_CALLBACK_URL",
            "",
            "Redirect URI registered with the issuer (default http://$COMMONS_BIND_IP:$COMMONS_PORT"
            "/hub/oauth_callback; behind a TLS proxy, its https URL).",
        ),
        Setting(
            "oidc_login_service",
            "COMMONS_OIDC_LOGIN_SERVICE",
            "council single sign-on",
            'Name on the login button ("Sign in with ...").',
        ),
        # Dask Gateway (hub/commons_hub/services/dask_gateway, docs/operators/dask.md).
        Setting(
            "dask_member_workers",
            "COMMONS_DASK_MEMBER_WORKERS",
            "2",
            "Most Dask workers in one cluster of a member.",
            _positive,
        ),
        Setting(
            "dask_project_workers",
            "COMMONS_DASK_PROJECT_WORKERS",
            "8",
            "Most Dask workers in one cluster started for an active project the person is a member of "
            "(`ck.dask_cluster(project=...)`).",
            _positive,
        ),
        Setting(
            "dask_idle_timeout",
            "COMMONS_DASK_IDLE_TIMEOUT",
            "1800",
            "Seconds a Dask cluster may sit idle before the gateway shuts it down.",
            _positive,
        ),
        Setting(
            "dask_worker_threads",
            "COMMONS_DASK_WORKER_THREADS",
            "1",
            "Threads (and cores reserved) per Dask worker.",
            _positive,
        ),
        Setting(
            "dask_worker_memory",
            "COMMONS_DASK_WORKER_MEMORY",
            "2 G",
            "Memory limit of each Dask worker (e.g. 2 G, 512 M).",
        ),
        Setting(
            "dask_partition_rows",
            "COMMONS_DASK_PARTITION_ROWS",
            "1048576",
            "Rows per partition of `ck.read_dask` (default: one Parquet row group of the store).",
            _positive,
        ),
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


def public_dir() -> Path:
    """Published story snapshots (outside the state directory, so the public account can read them)."""
    configured = setting("public_dir")
    return Path(configured).resolve() if configured else Path(f"{home()}-public")


def users_dir() -> Path:
    """Home directories of hub users' accounts (outside the state directory, which they must not reach)."""
    configured = setting("users_dir")
    return Path(configured).resolve() if configured else Path(f"{home()}-users")


def hub_url() -> str:
    return setting("hub_url") or f"http://127.0.0.1:{setting('port')}"


def data_api_url() -> str:
    url = setting("data_api_url") or hub_url().rstrip("/") + "/services/data-api/"
    return url if url.endswith("/") else url + "/"
