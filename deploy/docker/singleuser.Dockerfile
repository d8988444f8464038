# syntax=docker/dockerfile:1
# The single-user image (singleuser.image): JupyterLab and commons_kernel, the analysts' stack at the pinned
# versions. Kernels read data through the data-api only; nothing of the store is in the image or mounted.
# Build from the project root:
#   docker build -f deploy/docker/singleuser.Dockerfile -t REGISTRY/lcr-data-commons/singleuser:0.1.0 .
FROM python:3.11.7-slim-bookworm

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
WORKDIR /opt/commons

# torch first from its CPU wheels (unpinned torch pulls GBs of CUDA), then every pin but the test tools.
COPY requirements/pins.txt requirements/pins.txt
RUN pip install --index-url https://download.pytorch.org/whl/cpu "$(grep -E '^torch==' requirements/pins.txt)" \
 && grep -vE '^(pytest|playwright|oidc-provider-mock|moto|dask-gateway-server)' requirements/pins.txt > /tmp/pins.txt \
 && pip install -r /tmp/pins.txt && rm /tmp/pins.txt

COPY pyproject.toml README.md ./
COPY commons_kernel commons_kernel
COPY hub hub
COPY catalog catalog
COPY notebooks notebooks
RUN pip install --no-deps -e . && pip check

# The safe setting's labconfig (downloads off in JupyterLab's menus), on JUPYTER_CONFIG_PATH in the pod
# (commons_hub.kubernetes.user_server_traits); and jupyter_server_mcp off in the system config too (the
# command line the hub gives turns it off as well: an unauthenticated MCP server on localhost:3001).
RUN python -c "from pathlib import Path; from commons_hub.safe_setting import write_user_config, CONFIG_DIR_NAME; write_user_config(Path('/opt/commons') / CONFIG_DIR_NAME)" \
 && mkdir -p /etc/jupyter/jupyter_server_config.d \
 && echo '{"ServerApp": {"jpserver_extensions": {"jupyter_server_mcp": false}}}' \
      > /etc/jupyter/jupyter_server_config.d/commons-no-mcp.json

# The greeting start-up file and example notebooks are copied into each home when the pod starts (a postStart
# hook, commons_hub.kubernetes.user_server_traits): the home volume hides the image's /home/jovyan.
RUN useradd --uid 1000 --gid 100 --create-home --home-dir /home/jovyan jovyan
ENV HOME=/home/jovyan HF_HUB_OFFLINE=1
WORKDIR /home/jovyan
USER 1000
EXPOSE 8888
CMD ["jupyterhub-singleuser"]
