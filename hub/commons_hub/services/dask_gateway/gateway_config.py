# dask-gateway-server's configuration in the commons (``dask-gateway-server -f THIS``), read from the settings the
# hub passes the service (hub.py). Everything on loopback; the hub's proxy routes only the dashboards' front.
import os
import sys
from pathlib import Path

from commons_hub import isolation
from commons_hub.services.dask_gateway import backend, options
from commons_kernel import config

c = get_config()  # noqa: F821 (provided by dask-gateway-server)

bind_ip = config.setting("bind_ip")
c.DaskGateway.address = f"{bind_ip}:0"  # the private API, for the proxy only: a free loopback port
c.Proxy.address = f"{bind_ip}:{os.environ['COMMONS_DASK_GATEWAY_PORT']}"  # API and dashboards (HTTP)
c.Proxy.tcp_address = f"{bind_ip}:{os.environ['COMMONS_DASK_SCHEDULER_PORT']}"  # clients to schedulers (TLS)
c.Proxy.prefix = "/services/dask-gateway"
c.DaskGateway.log_level = "INFO"

c.DaskGateway.authenticator_class = "commons_hub.services.dask_gateway.auth.CommonsHubAuthenticator"
c.JupyterHubAuthenticator.jupyterhub_service_name = "dask-gateway"  # tokens need access:services!service=...

if os.geteuid() == 0 and isolation.running_isolated():
    c.DaskGateway.backend_class = backend.CommonsLocalBackend
else:
    c.DaskGateway.backend_class = backend.CommonsUnsafeLocalBackend
c.LocalBackend.clusters_directory = str(backend.clusters_base(config.home()))
bin_dir = Path(sys.executable).parent
c.ClusterConfig.scheduler_cmd = [str(bin_dir / "dask"), "scheduler"]
c.ClusterConfig.worker_cmd = [str(bin_dir / "dask"), "worker"]
c.ClusterConfig.worker_cores = int(config.setting("dask_worker_threads"))
c.ClusterConfig.worker_threads = int(config.setting("dask_worker_threads"))
c.ClusterConfig.worker_memory = config.setting("dask_worker_memory")
c.ClusterConfig.scheduler_memory = "1 G"
c.ClusterConfig.idle_timeout = float(config.setting("dask_idle_timeout"))
c.ClusterConfig.cluster_max_workers = int(config.setting("dask_member_workers"))
c.ClusterConfig.environment = {"COMMONS_DATA_API_URL": os.environ["COMMONS_DATA_API_URL"]}
c.Backend.cluster_options = options.cluster_options()
