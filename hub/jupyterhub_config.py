# JupyterHub configuration of the LCR Data Commons: deployment values only; the logic is in install(c).
# Settings come from the environment (see docs/operators/settings.md): COMMONS_HOME, COMMONS_PORT, ...
from commons_hub.install import install

c = get_config()  # noqa: F821 (provided by JupyterHub)

# Deployment values. Production: a real authenticator (NativeAuthenticator, or GenericOAuthenticator for
# council single sign-on) and LocalProcessSpawner / KubeSpawner so user servers cannot read the data store.
c.JupyterHub.log_level = "INFO"

install(c)
