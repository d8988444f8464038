"""Local backends: each cluster's scheduler and workers are real processes on this machine.

Isolated (the gateway runs as root, like the hub): ``CommonsLocalBackend`` starts them as the person's own Unix
account (``commons-u-NAME``, the account their JupyterLab server runs as), never as root and never as the service
account that owns the state directory. So a worker can do what the person's kernel can: reach the data-api with
the person's token. It cannot open a dataset file, the governance database or another person's home.

Each cluster works in its own folder, mode 0700 and the person's, under a root-owned base folder (mode 0711)
beside the state directory: ``$COMMONS_HOME-dask/``. dask-gateway-server's own ``LocalBackend`` is not used as
is: its ``setup_working_directory`` passes each certificate path to ``list.extend`` (adding its characters, so
root would ``chown('/')`` to the person); the folder, certificates and logs are made here instead.

Not isolated (a laptop), ``CommonsUnsafeLocalBackend`` runs them as the one account everything runs as, for
trying it out only (the commons says so on every page).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from dask_gateway_server.backends.local import LocalBackend, UnsafeLocalBackend

from commons_hub import isolation


def clusters_base(home: Path) -> Path:
    return Path(f"{home}-dask")


# For the type checker the mixin is a LocalBackend (it calls LocalBackend's methods); at run time it stays a plain
# mixin placed before LocalBackend or UnsafeLocalBackend.
if TYPE_CHECKING:
    _MixinBase: TypeAlias = LocalBackend
else:
    _MixinBase = object


class _WorkingFolder(_MixinBase):
    """Where a cluster runs: its own folder, certificates (0600) and logs, owned by ``_owner(cluster)``."""

    def _owner(self, cluster):  # (uid, gid) or None for "this process's account"
        return None

    def setup_working_directory(self, cluster):
        base = Path(self.clusters_directory)
        base.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"{cluster.name}-", dir=base))
        certs, logs = Path(self.get_certs_directory(str(workdir))), Path(self.get_logs_directory(str(workdir)))
        certs.mkdir(mode=0o700)
        logs.mkdir(mode=0o700)
        cert_path, key_path = self._get_tls_paths(str(workdir))
        for path, data in [(cert_path, cluster.tls_cert), (key_path, cluster.tls_key)]:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
                handle.write(data)
        owner = self._owner(cluster)
        if owner:
            for path in (workdir, certs, logs, Path(cert_path), Path(key_path)):
                os.lchown(path, *owner)
        return str(workdir)

    def cleanup_working_directory(self, workdir):
        if Path(workdir).parent == Path(self.clusters_directory):
            shutil.rmtree(workdir, ignore_errors=True)

    def get_env(self, cluster):
        env = super().get_env(cluster)
        workdir = cluster.state.get("workdir", "")
        # Scratch space, caches and HOME in the cluster's own folder, never a /tmp folder shared between people.
        env.update(
            HOME=workdir,
            DASK_TEMPORARY_DIRECTORY=workdir,
            XDG_CACHE_HOME=os.path.join(workdir, "cache"),
            MPLCONFIGDIR=os.path.join(workdir, "matplotlib"),
            PYTHONUNBUFFERED="1",
        )
        return env


class CommonsLocalBackend(_WorkingFolder, LocalBackend):
    """Scheduler and workers as the person's own Unix account (the gateway must be root)."""

    def _account(self, cluster):
        return isolation.ensure_account(isolation.unix_name(cluster.username))

    def _owner(self, cluster):
        account = self._account(cluster)
        return account.pw_uid, account.pw_gid

    def get_env(self, cluster):
        env = super().get_env(cluster)
        env["USER"] = self._account(cluster).pw_name
        return env

    def make_preexec_fn(self, cluster):
        account = self._account(cluster)
        workdir = cluster.state["workdir"]

        def preexec():  # in the child, before exec: no supplementary groups, then gid, then uid
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            os.chdir(workdir)

        return preexec


class CommonsUnsafeLocalBackend(_WorkingFolder, UnsafeLocalBackend):
    """Not isolated: every cluster as the gateway's own account (for trying the commons out only)."""
