# syntax=docker/dockerfile:1
# The hub image for the Zero to JupyterHub chart (hub.image): JupyterHub, KubeSpawner, the commons' identity and
# hub configuration (commons_hub.kubernetes.install_on_kubernetes, run from hub.extraConfig), the idle culler.
# Build from the project root:  docker build -f deploy/docker/hub.Dockerfile -t REGISTRY/lcr-data-commons/hub:0.1.0 .
# No secrets are baked in: the chart mounts its Secrets (and hub.existingSecret) at run time.
FROM python:3.11.7-slim-bookworm

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
WORKDIR /opt/commons

# Only what the hub imports, at the versions of requirements/pins.txt (used as constraints). The idle culler is
# the chart's `cull` service; it is not in pins.txt (the commons on one machine does not use it).
COPY requirements/pins.txt requirements/pins.txt
RUN pip install -c requirements/pins.txt \
        jupyterhub jupyterhub-kubespawner kubernetes jupyterhub-nativeauthenticator oauthenticator \
        "psycopg[binary]" sqlalchemy alembic pandas pyarrow pyyaml requests \
        jupyterhub-idle-culler==2.0.0

COPY pyproject.toml README.md ./
COPY commons_kernel commons_kernel
COPY hub hub
# No `pip check`: the project declares the analysts' stack too, which the hub does not install; the import shows
# that the hub has what it runs.
RUN pip install --no-deps -e . \
 && python -c "import commons_hub.kubernetes, commons_hub.install, commons_hub.identity, commons_hub.authenticators, commons_hub.safe_setting, kubespawner, jupyterhub_idle_culler"

# As the chart's own hub image: uid 1000 (hub.containerSecurityContext), working directory /srv/jupyterhub.
RUN useradd --uid 1000 --create-home --home-dir /home/jovyan jovyan \
 && mkdir -p /srv/jupyterhub /usr/local/etc/jupyterhub && chown 1000:1000 /srv/jupyterhub
ENV COMMONS_HOME=/srv/jupyterhub
WORKDIR /srv/jupyterhub
USER 1000
EXPOSE 8081
CMD ["jupyterhub", "--config", "/usr/local/etc/jupyterhub/jupyterhub_config.py"]
