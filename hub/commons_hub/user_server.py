"""Additions to every user server, each a hook ``hook(c, ctx)`` called at the end of install(c).

Features add their hook to HOOKS here (e.g. the safe setting that turns off file downloads).
"""

from commons_hub.lab_launcher import lab_launcher_hook
from commons_hub.safe_setting import safe_setting_hook
from commons_hub.services.dask_gateway.hub import user_server_hook as dask_gateway_hook
from commons_hub.terminal import terminal_hook

HOOKS: list = [safe_setting_hook, dask_gateway_hook, lab_launcher_hook, terminal_hook]
