# syntax=docker/dockerfile:1
# The commons' services image: data-api, register, stories (Voila) and refresher (Papermill), one Deployment each
# (deploy/kubernetes/commons/), chosen by the container's args (python -m commons_hub.services.NAME...).
# Build from the project root:
#   docker build -f deploy/docker/services.Dockerfile -t REGISTRY/lcr-data-commons/services:0.1.0 .
# No secrets and no data in the image: tokens and the database URL come from Secrets, the store from its volume.
FROM python:3.11.7-slim-bookworm

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
WORKDIR /opt/commons

COPY requirements/pins.txt requirements/pins.txt
RUN pip install --index-url https://download.pytorch.org/whl/cpu "$(grep -E '^torch==' requirements/pins.txt)" \
 && grep -vE '^(pytest|playwright|oidc-provider-mock|moto)' requirements/pins.txt > /tmp/pins.txt \
 && pip install -r /tmp/pins.txt && rm /tmp/pins.txt

COPY pyproject.toml README.md ./
COPY commons_kernel commons_kernel
COPY hub hub
COPY catalog catalog
COPY stories stories
RUN pip install --no-deps -e . && pip check

# Non-root: 10001 the services (data-api, register, refresher), 10002 the public stories (as on one machine,
# where Voila runs as its own account). The state lives on volumes; the root filesystem can be read-only.
RUN groupadd --gid 10001 commons && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp/home commons \
 && groupadd --gid 10002 commons-public \
 && useradd --uid 10002 --gid 10002 --groups commons --no-create-home --home-dir /tmp/home commons-public
USER 10001
CMD ["python", "-m", "commons_hub.services.data_api.app"]
