"""Walls around the gate: who runs as which Unix account, and who may open which file.

When the commons runs as root (``COMMONS_ISOLATION=auto``, the default), the operating system keeps people apart:

- each hub user's server and kernels run as that person's own account (``commons-u-NAME``, made on first spawn,
  no login shell), with a private home under ``$COMMONS_USERS_DIR``;
- the data-api, register and refresher run as the service account (``commons``), which alone owns the state
  directory (mode 0700: datasets, governance and audit database, anchor, releases);
- the public stories service and its Voilà kernels run as ``commons-public``, which can read only the published
  story snapshots under ``$COMMONS_PUBLIC_DIR``;
- the hub keeps its own files (``secrets.json``, its database, cookie secret) as root, mode 0600.

So a hostile kernel cannot read a dataset file, a token or the database: ``open()`` raises PermissionError, and
the data-api (which decides and audits) is the only way in. Not as root (a laptop), everything runs as one account
and the commons says so wherever people look: "not isolated: for trying it out only".
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from commons_kernel import config
from commons_kernel.exceptions import ConfigurationError

NOT_ISOLATED = (
    "not isolated: for trying it out only. Every server, kernel and service runs as one Unix account, "
    "so a kernel can read the data files directly; start the commons as root for separate accounts "
    "(docs/operators/isolation.md)."
)
# Files of the hub itself: root only, even inside the service account's state directory.
HUB_FILES = (
    "secrets.json",
    "jupyterhub.sqlite",
    "jupyterhub.sqlite-journal",
    "jupyterhub_cookie_secret",
    "jupyterhub.pid",
    "jupyterhub-proxy.pid",
)
SERVICE_HOME = "service-home"  # the service account's private working folders, inside the state directory
PUBLIC_HOME = ".public-home"  # the public account's, inside the users' directory
NO_HOME = "/nonexistent"  # accounts get no home of their own in /etc/passwd; the commons sets HOME
NO_SHELL = "/usr/sbin/nologin"
PUBLIC_SERVICES = {"stories"}  # run as the public account; every other managed service as the service account
# Run as root, like the hub: the Dask gateway starts each person's scheduler and workers as their own account
# (services/dask_gateway/backend.py), as the hub's spawner starts their servers.
ROOT_SERVICES = {"dask-gateway"}
RUNNING_ISOLATED = "COMMONS_RUNNING_ISOLATED"  # the hub tells its services whether the walls are up ("1"/"0")
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def active() -> bool:
    """Whether the walls are up in this process: root and isolation not turned off."""
    mode = config.setting("isolation")
    if mode == "off":
        return False
    if os.geteuid() == 0:
        return True
    if mode == "on":
        raise ConfigurationError(
            "COMMONS_ISOLATION=on needs root: separate Unix accounts can only be made and "
            "entered by root. Start the commons as root, or set COMMONS_ISOLATION=auto to run "
            "it as one account for trying it out."
        )
    return False


def running_isolated() -> bool:
    """In a service: whether the hub that started it put the walls up (a service is never root itself)."""
    return os.environ.get(RUNNING_ISOLATED) == "1"


def wall_in_service(service: dict, walls: Walls | None) -> dict:
    """A managed service's hub entry, run as its account with private working folders (unchanged without walls)."""
    if walls is None or "command" not in service or service["name"] in ROOT_SERVICES:
        return service
    public = service["name"] in PUBLIC_SERVICES
    account = walls.public if public else walls.service
    env = walls.public_env if public else walls.service_env
    for folder in env.values():
        if folder.startswith(env["HOME"]):
            Path(folder).mkdir(parents=True, exist_ok=True)
            os.lchown(folder, account.pw_uid, account.pw_gid)
    return {
        **service,
        "user": account.pw_name,
        "environment": {**service.get("environment", {}), **env},
        "cwd": str(walls.public_dir if public else walls.home),
    }


def unix_name(hub_name: str) -> str:
    """The Unix account of hub user ``hub_name``: the prefix plus the name, or a hashed form of an unusual name."""
    prefix = config.setting("unix_user_prefix")
    candidate = prefix + hub_name
    if UNIX_NAME.match(candidate):
        return candidate
    digest = hashlib.sha256(hub_name.encode()).hexdigest()[:8]
    safe = re.sub(r"[^a-z0-9_-]", "-", hub_name.lower())[: max(0, 31 - len(prefix) - 9)]
    return f"{prefix}{safe}-{digest}"


def ensure_account(name: str) -> pwd.struct_passwd:
    """The system account ``name``, made if missing: its own group, no home, no login shell."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    result = subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            NO_HOME,
            "--shell",
            NO_SHELL,
            "--comment",
            "LCR Data Commons",
            name,
        ],
        capture_output=True,
        text=True,
    )
    try:  # another spawn may have made it at the same moment
        return pwd.getpwnam(name)
    except KeyError:
        raise ConfigurationError(
            f"could not create the Unix account {name!r}: {result.stderr.strip()} "
            f"(useradd exit {result.returncode}). The commons needs root and useradd to keep "
            f"users apart; set COMMONS_ISOLATION=off to try it out without."
        ) from None


def grant_traverse(path: Path) -> list[str]:
    """Give others search (x, never read) permission on each ancestor of ``path`` that lacks it, so the service
    and user accounts can reach the installation (e.g. a Python under /root). Returns the folders changed."""
    changed = []
    for folder in reversed(Path(path).resolve().parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(folder, stat.S_IMODE(mode) | stat.S_IXOTH)
            changed.append(str(folder))
    return changed


def chown_tree(top: Path, uid: int, gid: int) -> None:
    """Hand ``top`` and everything under it to uid:gid (symbolic links themselves, never their targets)."""
    for folder, dirs, files in os.walk(top):
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            if os.lstat(path).st_uid != uid:
                os.lchown(path, uid, gid)
    os.lchown(top, uid, gid)


@dataclass(frozen=True)
class Walls:
    """What prepare() made: the accounts and folders every part of the deployment is configured with."""

    service: pwd.struct_passwd
    public: pwd.struct_passwd
    home: Path
    public_dir: Path
    users_dir: Path
    traverse_granted: tuple[str, ...] = ()

    @property
    def service_env(self) -> dict:
        return private_dirs(self.home / SERVICE_HOME)

    @property
    def public_env(self) -> dict:
        return private_dirs(self.users_dir / PUBLIC_HOME)


def private_dirs(base: Path) -> dict:
    """The environment that keeps an account's caches and runtime files in ``base`` (its HOME is /nonexistent)."""
    # The hub's service spawner sets HOME from /etc/passwd (/nonexistent), so every tool that would write under ~
    # is pointed here explicitly.
    return {
        "HOME": str(base),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
        "JUPYTER_CONFIG_DIR": str(base / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(base / "jupyter-data"),
        "MPLCONFIGDIR": str(base / "matplotlib"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "XDG_CONFIG_HOME": str(base / "config"),
    }


def _private_folder(path: Path, owner: pwd.struct_passwd, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    chown_tree(path, owner.pw_uid, owner.pw_gid)
    os.chmod(path, mode)


def prepare(home: Path, public_dir: Path, users_dir: Path) -> Walls:
    """Make the accounts and set owners and modes (idempotent; run by the hub at every start, as root)."""
    service = ensure_account(config.setting("service_user"))
    public = ensure_account(config.setting("public_user"))
    granted: list[str] = []
    for path in (home, public_dir, users_dir, config.PROJECT_ROOT, Path(sys.executable).resolve(), Path(sys.prefix)):
        granted += grant_traverse(path)

    home.mkdir(parents=True, exist_ok=True)
    chown_tree(home, service.pw_uid, service.pw_gid)
    hub_db = home / "jupyterhub.sqlite"
    if not hub_db.exists():  # made empty, mode 0600, so the hub's database (and SQLite's journals) are root's alone
        os.close(os.open(hub_db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for name in HUB_FILES:
        path = home / name
        if path.exists() and not path.is_symlink():
            os.chown(path, 0, 0)
            os.chmod(path, 0o600)
    os.chmod(home, 0o700)
    _private_folder(home / SERVICE_HOME, service, 0o700)

    # Published stories: written by the refresher (service account), read by the public account.
    for folder in (public_dir, public_dir / "stories", public_dir / "stories" / "published"):
        _private_folder(folder, service, 0o755)

    users_dir.mkdir(parents=True, exist_ok=True)
    os.chown(users_dir, 0, 0)
    os.chmod(users_dir, 0o711)  # each person may enter their own home, and may not list the others
    _private_folder(users_dir / PUBLIC_HOME, public, 0o700)
    return Walls(
        service=service,
        public=public,
        home=home,
        public_dir=public_dir,
        users_dir=users_dir,
        traverse_granted=tuple(dict.fromkeys(granted)),
    )


def prepare_user(hub_name: str, home: Path) -> pwd.struct_passwd:
    """The account of hub user ``hub_name`` (made on first spawn) and its home, mode 0700, all of it theirs."""
    account = ensure_account(unix_name(hub_name))
    if home.is_dir() and not home.is_symlink() and os.lstat(home).st_uid == account.pw_uid:
        os.chmod(home, 0o700)  # theirs already: no walk over a home that may hold many files
    else:
        _private_folder(home, account, 0o700)
    return account


def become(account: pwd.struct_passwd) -> None:
    """Drop this process (root) to ``account`` for good: groups, then gid, then uid."""
    os.setgroups([])
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    if os.getuid() != account.pw_uid or os.geteuid() != account.pw_uid:
        raise PermissionError(f"could not become {account.pw_name}")


def service_account_owns_state() -> pwd.struct_passwd | None:
    """The service account when this process is root and the state directory belongs to that account (the commons
    ran isolated here): then the `commons` command works as the service account, so files it writes stay readable
    by the services and it cannot do more than they can."""
    if os.geteuid() != 0 or config.setting("isolation") == "off":
        return None
    try:
        account = pwd.getpwnam(config.setting("service_user"))
        owner = config.home().stat().st_uid
    except (KeyError, OSError):
        return None
    return account if owner == account.pw_uid != 0 else None


def hand_to_service_account(path: Path) -> None:
    """Files a root process wrote into an isolated state directory (a benchmark's or a test's own data) become the
    service account's, so the services can read them; nothing happens when the commons is not isolated."""
    account = service_account_owns_state()
    if account is not None:
        chown_tree(Path(path), account.pw_uid, account.pw_gid)
