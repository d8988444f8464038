"""install(c): everything the commons adds to a JupyterHub config (services, roles, groups, spawner, auth).

``hub/jupyterhub_config.py`` holds deployment values and ends with ``install(c)``. Each service package under
``commons_hub.services`` that has a ``hub`` module contributes its service and role through
``configure(ctx) -> dict`` returning ``{"service": {...}, "role": {...} | None}``.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import secrets
import shutil
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from commons_hub import isolation
from commons_hub.db import hub_database_url
from commons_kernel import config

DEMO_USERS = {
    "analyst1": {"groups": ["members"], "organisation": "Demo Borough Council data team"},
    "analyst2": {"groups": ["members"], "organisation": "Merseyside Community Voluntary Services (demo)"},
    "steward": {"groups": ["members", "stewards"], "organisation": "LCR Data Cooperative stewards (demo)"},
    "checker": {"groups": ["members", "checkers"], "organisation": "LCR Data Cooperative output checkers (demo)"},
    "checker2": {"groups": ["members", "checkers"], "organisation": "University output checkers (demo)"},
    "admin": {"groups": ["members", "stewards"], "organisation": "LCR Data Commons operators (demo)"},
}
# The owner of the synthetic restricted dataset (its metadata's `owner`): members of this group may veto.
OWNER_GROUPS = {"demo-council-owners": ["steward"]}
ADMIN_USERS = {"admin"}
# Server extensions a commons user server does not need; dropping them makes the server start faster, and
# jupyter_server_mcp must stay off (unauthenticated MCP server on localhost:3001, see docs/operators/security.md).
DISABLED_SERVER_EXTENSIONS = [
    "jupyter_server_mcp",
    "voila.server_extension",
    "jupyter_lsp",
    "jupyter_ai_acp_client",
    "jupyter_ai_tools",
    "jupyter_live_content",
    "jupyterlab_commands_toolkit",
]
# The chat panel's default persona is the commons' assistant (commons_kernel.assistant.jupyter_ai.persona); the
# persona manager, its router and jupyterlab_chat stay enabled for it. No built-in MCP server: with
# jupyter_server_mcp off, whatever listened on its port would otherwise be handed to personas as a tool server.
GUIDE_PERSONA_ID = "jupyter-ai-personas::commons_kernel::CommonsGuidePersona"
PERSONA_ARGS = [f"--PersonaManager.default_persona_id={GUIDE_PERSONA_ID}", "--PersonaManager.builtin_mcp_servers=[]"]


# The object store's credentials: only the data-api's environment gets them (never other services, user servers
# or kernels). Other services that read manifests use COMMONS_S3_READ_CREDENTIALS_FILE (a read-only key).
STORE_SECRETS = ("COMMONS_S3_CREDENTIALS_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def store_credentials() -> dict:
    return {name: os.environ[name] for name in STORE_SECRETS if os.environ.get(name)}


def check_store_settings() -> None:
    """An S3 store needs a read-only key for the register (which never gets the data-api's): say so at start."""
    from commons_kernel.exceptions import ConfigurationError

    if str(config.setting("store_url")).startswith("s3://") and not config.setting("s3_read_credentials_file"):
        raise ConfigurationError(
            f"COMMONS_STORE_URL={config.setting('store_url')} needs COMMONS_S3_READ_CREDENTIALS_FILE too: the register "
            f"lists datasets from their manifests with a read-only key (s3:GetObject, s3:ListBucket), and never gets "
            f"the data-api's credentials. See docs/operators/storage.md."
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_env(name: str) -> int:
    value = os.environ.get(name)
    return int(value) if value else free_port()


@dataclass
class Context:
    """What services need to know to configure themselves."""

    home: Path
    bind_ip: str
    public_url: str
    python: str
    env: dict = field(default_factory=dict)

    urls: dict = field(default_factory=dict)

    def service_url(self, env_name: str) -> str:
        """The service's loopback URL; its port from ``env_name`` or a free one, the same on every call."""
        if env_name not in self.urls:
            self.urls[env_name] = f"http://{self.bind_ip}:{_port_env(env_name)}"
        return self.urls[env_name]


def secrets_file(home: Path) -> Path:
    return home / "secrets.json"


_SECRETS: dict[
    Path, dict
] = {}  # read once per process: `commons` reads them as root, then drops to the service account


def load_or_create_secrets(home: Path) -> dict:
    """Service tokens, generated at first start, kept mode 0600 in the state directory. No passwords: people's are
    bcrypt hashes in the hub database (commons_hub.identity)."""
    path = secrets_file(home)
    if path in _SECRETS:
        return _SECRETS[path]
    if path.exists():
        _SECRETS[path] = json.loads(path.read_text())
        return _SECRETS[path]
    home.mkdir(parents=True, exist_ok=True)
    values = {
        "operator_token": secrets.token_hex(32),
        "stories_token": secrets.token_hex(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle, indent=2)
    return values


def proxy_command() -> list[str]:
    local = config.PROJECT_ROOT / ".tools" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return [str(local)]
    found = shutil.which("configurable-http-proxy")
    if found:
        return [found]
    raise RuntimeError("configurable-http-proxy not found: run `make setup` (it installs it with npm into .tools/).")


def service_modules():
    import commons_hub.services as services

    for module in pkgutil.iter_modules(services.__path__):
        try:
            yield importlib.import_module(f"commons_hub.services.{module.name}.hub")
        except ModuleNotFoundError as exc:
            if exc.name != f"commons_hub.services.{module.name}.hub":
                raise


def install(c) -> None:
    home = config.home()
    home.mkdir(parents=True, exist_ok=True)
    bind_ip = config.setting("bind_ip")
    port = config.setting("port")
    public_url = f"http://{bind_ip}:{port}"
    secret = load_or_create_secrets(home)
    public_dir, users_dir = config.public_dir(), config.users_dir()
    walls = isolation.prepare(home, public_dir, users_dir) if isolation.active() else None
    if walls and walls.traverse_granted:
        print(
            f"[commons] so the service and user accounts can reach the installation, others may now pass "
            f"through (x, not read): {', '.join(walls.traverse_granted)}",
            file=sys.stderr,
        )
    if walls is None:
        print(f"[commons] {isolation.NOT_ISOLATED}", file=sys.stderr)
    # Services see only the environment they are given: pass every commons setting that is set (quorum, register
    # privacy, disclosure thresholds...), but never an API token, nor the store's credentials (the data-api's own:
    # services/data_api/hub.py).
    check_store_settings()
    forwarded = {
        s.env: os.environ[s.env]
        for s in config.SETTINGS.values()
        if s.env in os.environ and s.env not in ("COMMONS_API_TOKEN", "COMMONS_HUB_DB_URL", *STORE_SECRETS)
    }
    ctx = Context(
        home=home,
        bind_ip=bind_ip,
        public_url=public_url,
        python=sys.executable,
        env={
            **forwarded,
            "COMMONS_HOME": str(home),
            "COMMONS_CATALOG_DIR": str(config.setting("catalog_dir")),
            "COMMONS_DB_URL": config.setting("db_url"),
            "COMMONS_HUB_URL": public_url,
            "COMMONS_PUBLIC_DIR": str(public_dir),
            "COMMONS_ISOLATION": config.setting("isolation"),
            isolation.RUNNING_ISOLATED: "1" if walls else "0",
            "PYTHONUNBUFFERED": "1",
            "HF_HUB_OFFLINE": "1",
        },
    )

    # Network: everything on loopback; the proxy is the only public port.
    c.JupyterHub.ip = bind_ip
    c.JupyterHub.port = port
    c.JupyterHub.hub_ip = bind_ip
    c.JupyterHub.hub_port = _port_env("COMMONS_HUB_API_PORT")
    c.ConfigurableHTTPProxy.api_url = f"http://{bind_ip}:{_port_env('COMMONS_PROXY_API_PORT')}"
    c.ConfigurableHTTPProxy.command = proxy_command()
    c.ConfigurableHTTPProxy.should_start = True

    # State in the state directory.
    c.JupyterHub.db_url = hub_database_url(home)  # COMMONS_HUB_DB_URL (PostgreSQL), else SQLite here
    c.JupyterHub.cookie_secret_file = str(home / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(home / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.pid_file = str(home / "jupyterhub-proxy.pid")
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True

    # Identity: one account per person (own password or the council's single sign-on), never a shared one.
    from commons_hub.identity import configure_auth

    configure_auth(c, ctx, secret)

    # Roles: users reach the data-api; every service gets only what it needs.
    roles = [
        {
            "name": "user",
            "description": "Members: their own server, and the data-api as themselves.",
            "scopes": ["self", "access:services!service=data-api"],
        },
        {
            "name": "operator",
            "description": "The `commons` CLI: create users and issue their tokens.",
            "scopes": ["admin:users", "tokens", "read:users", "read:groups", "admin:groups"],
            "services": ["operator"],
        },
    ]
    services = [{"name": "operator", "api_token": secret["operator_token"], "display": False}]
    for module in service_modules():
        spec = module.configure(ctx, secret)
        if "command" in spec["service"]:  # managed: the hub gives up (and exits) if it does not answer in time
            spec["service"].setdefault("timeout", SERVICE_START_SECONDS)
        services.append(isolation.wall_in_service(spec["service"], walls))
        if spec.get("role"):
            roles.append(spec["role"])
    c.JupyterHub.services = services
    c.JupyterHub.load_roles = roles

    # User servers: JupyterLab, the kernel's token reaches the data-api, no unneeded extensions.
    c.JupyterHub.spawner_class = "commons_hub.spawner.CommonsSpawner"
    c.Spawner.default_url = "/lab"
    c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
    c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", "access:services!service=data-api"]
    c.CommonsSpawner.home_dir_template = str(users_dir / "{username}")
    c.CommonsSpawner.isolated = walls is not None
    args = [f"--ServerApp.jpserver_extensions={name}=False" for name in DISABLED_SERVER_EXTENSIONS] + PERSONA_ARGS
    if os.geteuid() == 0 and walls is None:
        args.append("--allow-root")
    c.Spawner.args = args
    c.Spawner.environment = {
        "COMMONS_HUB_URL": public_url,
        "COMMONS_CATALOG_DIR": str(config.setting("catalog_dir")),
        "HF_HUB_OFFLINE": "1",
        # Kernels reach the data-api on its loopback address, as JUPYTERHUB_API_URL reaches the hub: the proxy
        # hop cost more than the read itself for large tables (bench/bench_governed_read.py).
        "COMMONS_DATA_API_URL": ctx.service_url("COMMONS_DATA_API_PORT") + "/services/data-api/",
    }
    if config.setting("assistant_model"):  # the persona and %ask answer with the operator's model
        c.Spawner.environment["COMMONS_ASSISTANT_MODEL"] = config.setting("assistant_model")
    c.Spawner.pre_spawn_hook = prepare_user_home
    c.Spawner.start_timeout = 60
    c.Spawner.http_timeout = 60
    c.JupyterHub.shutdown_on_logout = False
    if walls is None:  # on every hub page, the login page included
        c.JupyterHub.template_vars.update({"announcement": isolation.NOT_ISOLATED})
    # The hub's navigation bar links the Commons page (hub_templates/page.html extends the hub's own page).
    c.JupyterHub.template_paths.insert(0, str(HUB_TEMPLATES))  # a list, or traitlets' lazy value: both insert
    c.JupyterHub.template_vars.update({"commons_url": COMMONS_PAGE})
    for hook in _spawner_hooks():
        hook(c, ctx)


KERNEL_STARTUP = Path(__file__).parent / "kernel" / "00-commons.py"
HUB_TEMPLATES = Path(__file__).parent / "hub_templates"
# How long the hub waits for a managed service to answer when it starts (JupyterHub's default, 30 s, is too short
# on a busy 2-core machine: the hub then exits with "Cannot connect to ... service").
SERVICE_START_SECONDS = 120
COMMONS_PAGE = "/services/data-api/commons"  # the governance home (services/data_api/routes/commons_pages.py)


EXAMPLE_NOTEBOOKS = config.PROJECT_ROOT / "notebooks"


def prepare_user_home(spawner) -> None:
    """Before a user server starts (not isolated): fill the home. Isolated, the spawner does it as the person's own
    account, never as root: root writing into a home its owner controls would follow their symbolic links."""
    if not getattr(spawner, "isolated", False):
        populate_home(Path(spawner.home_dir))


def populate_home(home: Path) -> None:
    """The IPython start-up file that greets the member in every kernel, and the example notebooks in
    ``notebooks/`` (copied once; a member's own edits are never overwritten)."""
    startup = home / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(KERNEL_STARTUP, startup / KERNEL_STARTUP.name)
    examples = home / "notebooks"
    examples.mkdir(exist_ok=True)
    for notebook in sorted(EXAMPLE_NOTEBOOKS.glob("*.ipynb")):
        target = examples / notebook.name
        if not target.exists():
            shutil.copyfile(notebook, target)


def _spawner_hooks():
    from commons_hub.user_server import HOOKS

    return list(HOOKS)
