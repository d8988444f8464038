"""The authenticators the hub loads (commons_hub.identity chooses and configures them).

``CommonsNativeAuthenticator`` is jupyterhub-nativeauthenticator with the cooperative's rules:

- who may sign in is nativeauthenticator's own approval flag (``users_info.is_authorized``); a sign-up is never
  pre-approved, not even for a name in ``admin_users`` (nativeauthenticator would approve it);
- an approved sign-up joins the ``members`` group, and nothing else, when the hub first creates them;
- its login page works on JupyterHub 6 (``CommonsLoginHandler``: nativeauthenticator 1.3.0's own handler calls
  ``self.statsd``, which JupyterHub 5 removed, so every password POST answered 500; and its ``_render`` refused
  JupyterHub's ``sync`` argument, so the error page for a bad form failed too);
- stewards as well as admins approve sign-ups on ``/hub/authorize``, and approving or discarding someone is
  refused unless the click came from the hub's own page (nativeauthenticator does it on a plain GET, which a link
  on any other site could trigger in an admin's browser).

``GroupMapper`` turns the council's group claims into hub groups for GenericOAuthenticator (single sign-on).
"""

from __future__ import annotations

from urllib.parse import urlparse

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import (
    AuthorizationAreaHandler,
    DiscardHandler,
    LocalBase,
    SignUpHandler,
    ToggleAuthorizationHandler,
)
from nativeauthenticator.handlers import LoginHandler as NativeLoginHandler
from nativeauthenticator.orm import UserInfo
from sqlalchemy.orm import object_session
from tornado import web
from tornado.escape import url_escape
from tornado.httputil import url_concat

APPROVER_GROUP = "stewards"
SIGN_IN_HEADING = "Sign in to the LCR Data Commons"
SIGN_UP_HEADING = "Ask to join the LCR Data Commons"
NEW_MEMBER_GROUPS = ("members",)


def _is_approver(user) -> bool:
    return bool(user) and (user.admin or any(group.name == APPROVER_GROUP for group in user.groups))


def _check_can_approve(handler: LocalBase) -> None:
    """Raises 403 unless the signed-in person is an admin or a steward and the request came from the hub's page."""
    if not _is_approver(handler.current_user):
        raise web.HTTPError(403, "Only stewards and admins approve sign-ups.")
    site = handler.request.headers.get("Sec-Fetch-Site")
    referer = urlparse(handler.request.headers.get("Referer", ""))
    same_origin = site == "same-origin" if site else referer.netloc == handler.request.host
    if not same_origin:
        raise web.HTTPError(
            403,
            "Approve or discard sign-ups from the list at /hub/authorize (this request did not "
            "come from the hub's own page).",
        )


class StewardAuthorizationArea(AuthorizationAreaHandler):
    @web.authenticated
    async def get(self):
        if not _is_approver(self.current_user):
            raise web.HTTPError(403, "Only stewards and admins approve sign-ups.")
        html = await self.render_template(
            "authorization-area.html",
            ask_email=self.authenticator.ask_email_on_signup,
            users=self.db.query(UserInfo).all(),
        )
        self.finish(html)


class StewardToggleAuthorization(ToggleAuthorizationHandler):
    @web.authenticated
    async def get(self, slug):
        _check_can_approve(self)
        if UserInfo.find(self.db, slug) is None:
            raise web.HTTPError(404, f"No sign-up called {slug!r}.")
        UserInfo.change_authorization(self.db, slug)
        self.log.info(
            "%s %s the sign-up of %s",
            self.current_user.name,
            "approved" if UserInfo.find(self.db, slug).is_authorized else "withdrew approval of",
            slug,
        )
        self.redirect(self.hub.base_url + "authorize#" + slug)


class StewardDiscard(DiscardHandler):
    @web.authenticated
    async def get(self, user_name):
        _check_can_approve(self)
        info = self.authenticator.get_user(user_name)
        if info is not None and not info.is_authorized:
            self.db.delete(info)
            self.db.commit()
            if self.users.get(user_name) is not None:
                self.users.delete(user_name)
        self.redirect(self.hub.base_url + "authorize")


class CommonsLoginHandler(NativeLoginHandler):
    """nativeauthenticator's login page and form, without the JupyterHub 4 calls that JupyterHub 6 lacks."""

    def _render(self, login_error=None, username=None, sync=False, **_ignored):
        return self.render_template(
            "native-login.html",
            sync=sync,
            next=url_escape(self.get_argument("next", default="")),
            page_heading=SIGN_IN_HEADING,
            username=username,
            login_error=login_error,
            custom_html=self.authenticator.custom_html,
            login_url=self.settings["login_url"],
            enable_signup=self.authenticator.enable_signup,
            two_factor_auth=self.authenticator.allow_2fa,
            authenticator_login_url=url_concat(
                self.authenticator.login_url(self.hub.base_url), {"next": self.get_argument("next", "")}
            ),
        )

    async def post(self):
        data = {arg: self.get_argument(arg, strip=False) for arg in self.request.arguments}
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        error = "Invalid username or password."
        username = data.get("username", "")
        info = self.authenticator.get_user(username) if username else None
        if info is not None and not info.is_authorized and info.is_valid_password(data.get("password", "")):
            error = f"User {username} has not been authorized by a steward yet."
        self.finish(await self._render(login_error=error, username=username))


class CommonsSignUpHandler(SignUpHandler):
    """nativeauthenticator's sign-up page with the one <h1> a page needs (hub_templates/page.html prints it)."""

    def render_template(self, name, sync=False, **ns):
        ns.setdefault("page_heading", SIGN_UP_HEADING)
        return super().render_template(name, sync=sync, **ns)


class CommonsNativeAuthenticator(NativeAuthenticator):
    """nativeauthenticator with approval as the allow-list, members-only new accounts and guarded approval."""

    def check_allowed(self, username, authentication=None):
        info = self.get_user(username)
        return bool(info is not None and info.is_authorized)

    def create_user(self, username, password, **kwargs):
        info = super().create_user(username, password, **kwargs)
        if info is not None and info.is_authorized:
            info.is_authorized = False  # every sign-up waits for a steward, whatever name it took
            self.db.commit()
        return info

    def add_user(self, user):
        """A new hub user who is an approved sign-up joins the members group (only when they have no groups yet)."""
        result = super().add_user(user)
        orm_user = getattr(user, "orm_user", user)
        session = object_session(orm_user)
        if session is None:
            return result
        info = UserInfo.find(session, orm_user.name)
        if info is not None and info.is_authorized and not orm_user.groups:
            from jupyterhub import orm

            for name in NEW_MEMBER_GROUPS:
                group = orm.Group.find(session, name) or orm.Group(name=name)
                orm_user.groups.append(group)
            session.commit()
        return result

    def get_handlers(self, app):
        replaced = {
            r"/login": CommonsLoginHandler,
            r"/signup": CommonsSignUpHandler,
            r"/authorize": StewardAuthorizationArea,
            r"/authorize/([^/]*)": StewardToggleAuthorization,
            r"/discard/([^/]*)": StewardDiscard,
        }
        return [(path, replaced.get(path, handler)) for path, handler in super().get_handlers(app)]


class GroupMapper:
    """``auth_state_groups_key`` for GenericOAuthenticator: the claim's values mapped to hub groups.

    Values nobody mapped are ignored; a person with no mapped value gets no groups and is refused
    (``allowed_groups = {"members"}``)."""

    def __init__(self, claim: str, mapping: dict[str, set[str]], user_key: str = "oauth_user"):
        self.claim, self.mapping, self.user_key = claim, mapping, user_key

    def __call__(self, auth_state: dict) -> set[str]:
        values = (auth_state.get(self.user_key) or {}).get(self.claim) or []
        if isinstance(values, str):
            values = [values]
        groups: set[str] = set()
        for value in values:
            groups |= self.mapping.get(str(value), set())
        return groups
