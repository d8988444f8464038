"""`commons up`, `commons token USER`, `commons users`: run the hub and operate it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import requests

from commons_kernel import config
from commons_kernel.exceptions import CommonsError


def register(sub) -> None:
    p = sub.add_parser("up", help="start the commons (hub, proxy, services) in the foreground")
    p.add_argument("--port", type=int, default=None, help="public port on 127.0.0.1 (default $COMMONS_PORT or 8000)")
    p.add_argument("--no-init", action="store_true", help="skip the (idempotent) seed ingest")
    p.set_defaults(handler=up)
    p = sub.add_parser("token", help="print a fresh API token for USER (creating the user if needed)")
    p.add_argument("user")
    p.add_argument("--note", default="issued by `commons token`")
    p.add_argument("--expires-in", type=int, default=7 * 24 * 3600, help="seconds (default one week)")
    p.set_defaults(handler=token)
    p = sub.add_parser("users", help="list users and their groups")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=users)


def banner(url: str, secret: dict) -> str:
    from commons_hub.install import ADMIN_USERS, DEMO_USERS

    lines = ["", "=" * 72, f"  LCR Data Commons is running: {url}/", "",
             f"  Analysts sign in at {url}/hub/login  (demo logins below)",
             f"  Stories for residents:  {url}/services/stories/",
             f"  Public register:        {url}/services/register/", ""]
    for user, info in DEMO_USERS.items():
        password = secret["admin_password"] if user in ADMIN_USERS else secret["user_password"]
        lines.append(f"  {user:<10} password {password}   ({', '.join(info['groups'])})")
    lines += ["", f"  Passwords are kept in {config.home() / 'secrets.json'} (mode 0600). Ctrl-C stops everything.",
              "=" * 72, ""]
    return "\n".join(lines)


def wait_for(url: str, timeout: float = 90, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CommonsError(f"The hub exited with code {process.returncode} while starting; its log is above.")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise CommonsError(f"{url} did not answer within {timeout:.0f} s.")


def hub_command() -> list[str]:
    return [sys.executable, "-m", "jupyterhub", "-f", str(config.PROJECT_ROOT / "hub" / "jupyterhub_config.py")]


def up(args) -> int:
    from commons_hub.commands.init import initialise
    from commons_hub.install import load_or_create_secrets

    if args.port:
        os.environ["COMMONS_PORT"] = str(args.port)
    port = config.setting("port")
    if not args.no_init:
        initialise()
    secret = load_or_create_secrets(config.home())
    url = f"http://{config.setting('bind_ip')}:{port}"
    process = subprocess.Popen(hub_command(), cwd=config.home(), env=dict(os.environ))

    def forward(signum, _frame):
        process.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        wait_for(f"{url}/hub/health", process=process)
        print(banner(url, secret), flush=True)
        return process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=90)


def _hub_api(method: str, path: str, **kwargs):
    from commons_hub.install import load_or_create_secrets

    secret = load_or_create_secrets(config.home())
    url = f"{config.hub_url().rstrip('/')}/hub/api/{path}"
    try:
        response = requests.request(method, url, headers={"Authorization": f"token {secret['operator_token']}"},
                                    timeout=30, **kwargs)
    except requests.RequestException as exc:
        raise CommonsError(f"The hub at {config.hub_url()} did not answer ({type(exc).__name__}). Start it with "
                           f"`commons up`, or set COMMONS_HUB_URL / COMMONS_PORT.") from None
    if response.status_code >= 400:
        raise CommonsError(f"hub API {method} {path}: HTTP {response.status_code} {response.text[:200]}")
    return response.json() if response.content else None


def token(args) -> int:
    from commons_hub.audit import AuditEvent, AuditLog

    try:
        _hub_api("GET", f"users/{args.user}")
    except CommonsError as exc:
        if "HTTP 404" not in str(exc):
            raise
        _hub_api("POST", f"users/{args.user}")
        print(f"Created user {args.user} (no groups: add them with the hub admin page).", file=sys.stderr)
    answer = _hub_api("POST", f"users/{args.user}/tokens",
                      json={"note": args.note, "expires_in": args.expires_in, "roles": ["user"]})
    AuditLog().append(AuditEvent(actor="operator", actor_kind="operator", action="token",
                                 detail={"user": args.user, "expires_in": args.expires_in}))
    print(answer["token"])
    return 0


def users(args) -> int:
    listing = _hub_api("GET", "users")
    rows = [{"name": u["name"], "admin": u.get("admin", False), "groups": sorted(u.get("groups", []))}
            for u in listing]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    for row in rows:
        admin = " (admin)" if row["admin"] else ""
        print(f"{row['name']:<16} {', '.join(row['groups']) or '-'}{admin}")
    return 0
