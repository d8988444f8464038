"""Dask Gateway as a hub-managed service: clusters of real Dask workers for members, reading through the data-api.

- ``hub.py``: the hub's service entry (``configure``) and the user-server hook (the gateway's address and the
  ``access:services!service=dask-gateway`` scope in every kernel token);
- ``gateway_config.py``: dask-gateway-server's own configuration, read from the commons settings;
- ``auth.py``: the JupyterHub authenticator, plus the caller's active projects from the data-api;
- ``limits.py``: how many workers a person may have (members, a project's members);
- ``backend.py``: the local backend that starts each person's scheduler and workers as their own Unix account.

docs/operators/dask.md says what workers can reach and why; docs/analysts/dask.md how to use it.
"""
