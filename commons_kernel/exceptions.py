"""One root, CommonsError, and a subclass per situation. Each message says what to do next.

Every class states its fields explicitly: ``code`` (a stable name, as in the data-api's JSON ``error``),
``status`` (the HTTP status the data-api answers with), and per instance ``headline`` (what happened) and
``advice`` (the next step, "" when the message itself is all). In a notebook a commons error shows as those two
lines, not a traceback (``_render_traceback_``, commons_kernel/notebook_errors.py); ``ck.show_traceback()`` shows
the traceback of the last one.
"""

from __future__ import annotations


class CommonsError(Exception):
    """Root of every error the commons raises on purpose."""

    code = "commons-error"
    status = 400

    @property
    def headline(self) -> str:
        """What happened, in a sentence (the whole message unless a subclass keeps its advice apart)."""
        return str(self)

    @property
    def advice(self) -> str:
        """The next step, when it is not part of the headline already."""
        return ""

    def _render_traceback_(self) -> list[str]:
        # IPython (and so every Jupyter kernel) asks an exception for this before printing a traceback.
        from commons_kernel.notebook_errors import render_traceback

        return render_traceback(self)


class ConfigurationError(CommonsError):
    """A setting has a value the commons cannot use."""

    code, status = "configuration-error", 500


class SeedFileError(CommonsError):
    """A seed file is missing, unreadable, truncated or has the wrong shape. Nothing was written."""

    code, status = "seed-file-error", 400

    def __init__(self, path, problem: str, line: int | None = None, column: str | None = None, fix: str = ""):
        self.path, self.problem, self.line, self.column, self.fix = str(path), problem, line, column, fix
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        message = f"{where}: {problem}"
        if fix:
            message += f" Fix: {fix}"
        super().__init__(message + " The state directory was left as it was.")


class DatasetNotFound(CommonsError):
    code, status = "dataset-not-found", 404

    def __init__(self, name: str, close: list[str] | None = None):
        self.name, self.close = name, close or []
        super().__init__(f"{self.headline} {self.advice}")

    @property
    def headline(self) -> str:
        hint = f" Did you mean {', '.join(repr(c) for c in self.close)}?" if self.close else ""
        return f"No dataset called {self.name!r}.{hint}"

    @property
    def advice(self) -> str:
        return "List them with `ck.catalog()` or `commons catalog list`."

    def __reduce__(self):  # whole again after pickling (a Dask worker's error reaches the kernel so)
        return type(self), (self.name, self.close)


class ReleaseNotFound(CommonsError):
    """No release ``release_id``, or (with ``name``) no file of that name in it. The data-api's answer carries
    both as ``release`` and ``file``, so the kernel raises the same exception again."""

    code, status = "release-not-found", 404

    def __init__(self, release_id: int, name: str | None = None):
        self.release_id, self.name = release_id, name
        if name is None:
            super().__init__(f"{self.headline} {self.advice}")
        else:
            super().__init__(f"Release {release_id} has no file {name!r}; {self.advice}")

    @property
    def headline(self) -> str:
        if self.name is None:
            return f"No release {self.release_id}."
        return f"Release {self.release_id} has no file {self.name!r}."

    @property
    def advice(self) -> str:
        if self.name is None:
            return "List the releases you can see with ck.releases()."
        return f"ck.describe_release({self.release_id}) lists its files."

    def __reduce__(self):
        return type(self), (self.release_id, self.name)


class AccessDenied(CommonsError):
    """A read (or a release, a cluster) was refused. The data-api decides why and what to do next; ``why`` is its
    code for the refusal (``no-project-named``, ``project-does-not-list``, ...), ``advice_code`` names the advice it
    chose (``name-your-project``, ``join-or-propose``, ...), ``projects`` the active projects listing the dataset
    and ``your_projects`` those of them you are a member of."""

    code, status = "access-denied", 403

    def __init__(
        self,
        name: str,
        reason: str,
        how_to_get_access: str = "",
        *,
        why: str = "",
        advice_code: str = "",
        projects: list[str] | None = None,
        your_projects: list[str] | None = None,
    ):
        self.name, self.reason, self.how_to_get_access = name, reason, how_to_get_access
        self.why, self.advice_code = why, advice_code
        self.projects, self.your_projects = list(projects or []), list(your_projects or [])
        super().__init__(
            f"Access to {name!r} denied: {reason}" + (f" {how_to_get_access}" if how_to_get_access else "")
        )

    @property
    def headline(self) -> str:
        return f"Access to {self.name!r} denied: {self.reason}"

    @property
    def advice(self) -> str:
        return self.how_to_get_access

    def __reduce__(self):
        return _rebuild_access_denied, (
            (self.name, self.reason, self.how_to_get_access),
            dict(why=self.why, advice_code=self.advice_code, projects=self.projects, your_projects=self.your_projects),
        )


def _rebuild_access_denied(args, fields):
    return AccessDenied(*args, **fields)


class NotAuthenticated(CommonsError):
    """No usable hub token: outside the hub, set COMMONS_API_TOKEN (`commons token USER`)."""

    code, status = "not-authenticated", 401


class DataApiUnavailable(CommonsError):
    code, status = "data-api-unavailable", 503

    def __init__(self, url: str, detail: str):
        self.url, self.detail = url, detail
        super().__init__(f"{self.headline} {self.advice}")

    @property
    def headline(self) -> str:
        return f"The data-api at {self.url} did not answer ({self.detail})."

    @property
    def advice(self) -> str:
        return (
            f"Check the commons is running (`commons up`), that COMMONS_HUB_URL / COMMONS_DATA_API_URL point at "
            f"it, and `curl {self.url}api/health`."
        )

    def __reduce__(self):
        return type(self), (self.url, self.detail)


class ValidationFailed(CommonsError):
    """Data or metadata breaks the data standard; ``report`` holds the details."""

    code, status = "validation-failed", 422

    def __init__(self, message: str, report=None):
        self.report = report
        super().__init__(message)


class DisclosureRisk(CommonsError):
    """An output would disclose small counts or dominant contributors."""

    code, status = "disclosure-risk", 422


class GeographyError(CommonsError):
    """Codes of an unknown level, or a conversion the lookups cannot make."""

    code, status = "geography-error", 400


class GovernanceError(CommonsError):
    """A governance action (vote, decision, release, contribution) is not allowed in the current state."""

    code, status = "not-allowed-now", 409


class ClusterRefused(CommonsError):
    """The Dask Gateway would not start a cluster (over the limit, not a member); the message says what is allowed."""

    code, status = "cluster-refused", 403


def _all(cls: type[CommonsError]) -> list[type[CommonsError]]:
    return [cls] + [sub for direct in cls.__subclasses__() for sub in _all(direct)]


def error_table() -> dict[str, type[CommonsError]]:
    """Every commons exception by its ``code``: the one table the data-api answers with (``exc.code`` as the JSON
    ``error``, ``exc.status`` as the HTTP status) and its clients map answers back with. A subclass that keeps its
    parent's code (e.g. the hub's NotPermitted) does not take the parent's place."""
    table: dict[str, type[CommonsError]] = {}
    for cls in _all(CommonsError):
        table.setdefault(cls.code, cls)
    return table


def for_code(code: str | None) -> type[CommonsError]:
    """The exception class the data-api's JSON ``error`` code stands for; CommonsError for a code not in the table."""
    return error_table().get(code or "", CommonsError)
