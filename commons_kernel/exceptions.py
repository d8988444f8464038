"""One root, CommonsError, and a subclass per situation. Each message says what to do next."""

from __future__ import annotations


class CommonsError(Exception):
    """Root of every error the commons raises on purpose."""


class ConfigurationError(CommonsError):
    """A setting has a value the commons cannot use."""


class SeedFileError(CommonsError):
    """A seed file is missing, unreadable, truncated or has the wrong shape. Nothing was written."""

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
    def __init__(self, name: str, close: list[str] | None = None):
        self.name, self.close = name, close or []
        hint = f" Did you mean {', '.join(repr(c) for c in self.close)}?" if self.close else ""
        super().__init__(f"No dataset called {name!r}.{hint} List them with `ck.catalog()` or `commons catalog list`.")

    def __reduce__(self):   # whole again after pickling (a Dask worker's error reaches the kernel so)
        return type(self), (self.name, self.close)


class AccessDenied(CommonsError):
    def __init__(self, name: str, reason: str, how_to_get_access: str = ""):
        self.name, self.reason, self.how_to_get_access = name, reason, how_to_get_access
        super().__init__(f"Access to {name!r} denied: {reason}" + (f" {how_to_get_access}" if how_to_get_access else ""))

    def __reduce__(self):
        return type(self), (self.name, self.reason, self.how_to_get_access)


class NotAuthenticated(CommonsError):
    """No usable hub token: outside the hub, set COMMONS_API_TOKEN (`commons token USER`)."""


class DataApiUnavailable(CommonsError):
    def __init__(self, url: str, detail: str):
        self.url, self.detail = url, detail
        super().__init__(
            f"The data-api at {url} did not answer ({detail}). Check the commons is running (`commons up`), "
            f"that COMMONS_HUB_URL / COMMONS_DATA_API_URL point at it, and `curl {url}api/health`."
        )

    def __reduce__(self):
        return type(self), (self.url, self.detail)


class ValidationFailed(CommonsError):
    """Data or metadata breaks the data standard; ``report`` holds the details."""

    def __init__(self, message: str, report=None):
        self.report = report
        super().__init__(message)


class DisclosureRisk(CommonsError):
    """An output would disclose small counts or dominant contributors."""


class GeographyError(CommonsError):
    """Codes of an unknown level, or a conversion the lookups cannot make."""


class GovernanceError(CommonsError):
    """A governance action (vote, decision, release, contribution) is not allowed in the current state."""


class ClusterRefused(CommonsError):
    """The Dask Gateway would not start a cluster (over the limit, not a member); the message says what is allowed."""
