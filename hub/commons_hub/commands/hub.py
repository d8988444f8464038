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


def banner(url: str, passwords: dict[str, str]) -> str:
    """The start-up message. ``passwords`` are the demo people's, created at this (first) start: shown only now."""
    from commons_hub.identity import uses_single_sign_on
    from commons_hub.install import DEMO_USERS

    lines = [
        "",
        "=" * 72,
        f"  LCR Data Commons is running: {url}/",
        "",
        f"  Analysts sign in at {url}/hub/login",
        f"  Stories for residents:  {url}/services/stories/",
        f"  Public register:        {url}/services/register/",
        "",
    ]
    if uses_single_sign_on():
        lines += [
            f"  Sign-in: {config.setting('oidc_login_service')} ({config.setting('oidc_issuer')});",
            "  hub groups follow the council's groups (COMMONS_OIDC_GROUP_MAP).",
        ]
    elif passwords:
        lines.append("  Demo people, each with their own password (shown ONCE: copy them now; only hashes are kept):")
        for user, password in passwords.items():
            groups = ", ".join(DEMO_USERS.get(user, {}).get("groups", []))
            lines.append(f"  {user:<10} password {password}   ({groups})")
        lines.append("  Each person changes theirs at /hub/change-password; the admin resets others' there too.")
    else:
        lines += [
            "  Demo people: " + ", ".join(DEMO_USERS) + " (their passwords were shown at first start).",
            "  Lost one? The admin resets it at /hub/change-password/USER (docs/operators/identity.md).",
        ]
    if not uses_single_sign_on() and config.setting("signup"):
        lines.append(f"  New people sign up at {url}/hub/signup; a steward approves them at {url}/hub/authorize.")
    lines += ["", "  Ctrl-C stops everything.", "=" * 72, ""]
    return "\n".join(lines)


def walls_line() -> str:
    """One line of `commons up`'s output: whether people are kept apart by the operating system."""
    from commons_hub import isolation

    if not isolation.active():
        return f"  !! {isolation.NOT_ISOLATED}"
    return (
        f"  Isolated: each person's server runs as their own Unix account "
        f"({config.setting('unix_user_prefix')}NAME); the services as {config.setting('service_user')!r}."
    )


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
    from commons_hub import identity
    from commons_hub.commands.db import refuse_outdated
    from commons_hub.commands.init import initialise
    from commons_hub.install import load_or_create_secrets

    if args.port:
        os.environ["COMMONS_PORT"] = str(args.port)
    refuse_outdated()  # an older schema: say `commons db upgrade` now, before anything starts
    port = config.setting("port")
    if not args.no_init:
        initialise()
    load_or_create_secrets(config.home())
    passwords = identity.demo_accounts_at_first_start(config.home())
    url = f"http://{config.setting('bind_ip')}:{port}"
    process = subprocess.Popen(hub_command(), cwd=config.home(), env=dict(os.environ))

    def forward(signum, _frame):
        process.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        try:
            wait_for(f"{url}/hub/health", process=process)
        except CommonsError:
            if passwords:  # created at this start and shown nowhere else: do not lose them with the failed start
                print(
                    "\n".join(f"  {user:<10} password {password}" for user, password in passwords.items()),
                    file=sys.stderr,
                    flush=True,
                )
            raise
        print(banner(url, passwords), flush=True)
        print(walls_line(), flush=True)
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
        response = requests.request(
            method, url, headers={"Authorization": f"token {secret['operator_token']}"}, timeout=30, **kwargs
        )
    except requests.RequestException as exc:
        raise CommonsError(
            f"The hub at {config.hub_url()} did not answer ({type(exc).__name__}). Start it with "
            f"`commons up`, or set COMMONS_HUB_URL / COMMONS_PORT."
        ) from None
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
    answer = _hub_api(
        "POST", f"users/{args.user}/tokens", json={"note": args.note, "expires_in": args.expires_in, "roles": ["user"]}
    )
    AuditLog().append(
        AuditEvent(
            actor="operator",
            actor_kind="operator",
            action="token",
            detail={"user": args.user, "expires_in": args.expires_in},
        )
    )
    print(answer["token"])
    return 0


def users(args) -> int:
    listing = _hub_api("GET", "users")
    rows = [{"name": u["name"], "admin": u.get("admin", False), "groups": sorted(u.get("groups", []))} for u in listing]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    for row in rows:
        admin = " (admin)" if row["admin"] else ""
        print(f"{row['name']:<16} {', '.join(row['groups']) or '-'}{admin}")
    return 0
