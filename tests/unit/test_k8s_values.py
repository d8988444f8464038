"""deploy/kubernetes/values.yaml: valid for the Zero to JupyterHub chart, and what the commons needs of it.

The chart's values schema and default values are vendored in deploy/kubernetes/z2jh/ (see its README); Helm
validates the merge of the defaults and our file, so the test does the same.
"""

from __future__ import annotations

import copy
import ipaddress
import json
from urllib.parse import urlparse

import jsonschema
import pytest
import yaml

from commons_hub import kubernetes as k8s
from commons_hub.kubernetes_manifests import check_object, load_objects
from commons_hub.kubernetes_netpol import singleuser_network_policy
from commons_kernel.exceptions import ConfigurationError

pytestmark = pytest.mark.unit

Z2JH = k8s.DEPLOY_DIR / "z2jh"


def helm_merge(defaults: dict, values: dict) -> dict:
    """Helm's coalescing of user values over chart defaults: maps merge, everything else is replaced."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture(scope="module")
def values():
    return k8s.load_values()


@pytest.fixture(scope="module")
def schema():
    return json.loads((Z2JH / "values.schema.json").read_text())


@pytest.fixture(scope="module")
def chart_defaults():
    return yaml.safe_load((Z2JH / "chart-values.yaml").read_text())


def validate(values, schema, chart_defaults):
    jsonschema.Draft7Validator(schema).validate(helm_merge(chart_defaults, values))


def test_values_validate_against_the_chart_schema(values, schema, chart_defaults):
    validate(values, schema, chart_defaults)


@pytest.mark.parametrize(
    "path, bad",
    [
        (("singleuser", "networkPolicy", "egressAllowRules", "nonPrivateIP"), False),  # a typo of nonPrivateIPs
        (("hub", "db", "type"), "postgresql"),  # not one of the chart's types
        (("cull", "timeout"), "1h"),  # seconds, an integer
    ],
)
def test_the_schema_check_catches_mistakes(values, schema, chart_defaults, path, bad):
    broken = copy.deepcopy(values)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    with pytest.raises(jsonschema.ValidationError):
        validate(broken, schema, chart_defaults)


def test_hub_database_is_postgres_with_upgrade_and_no_password_in_the_file(values):
    db = values["hub"]["db"]
    assert db["type"] == "postgres" and db["upgrade"] is True
    url = urlparse(db["url"])
    assert url.scheme == "postgresql+psycopg" and url.password is None
    assert "password" not in db  # it comes from hub.existingSecret (key hub.db.password)
    assert values["hub"]["existingSecret"] == "commons-hub-secret"


def test_services_point_at_their_kubernetes_services_and_carry_no_token(values):
    services = values["hub"]["services"]
    assert set(services) == {"data-api", "register", "stories", "refresher", "dask-gateway"}
    for name, (service_name, port) in k8s.SERVICES.items():
        assert services[name]["url"] == f"http://{service_name}:{port}"
    assert services["dask-gateway"]["url"] == f"http://{k8s.DASK_GATEWAY_HOST}"  # the dask-gateway chart's
    assert "url" not in services["refresher"]  # no route: nothing connects to it
    for service in services.values():
        assert not {"apiToken", "api_token"} & set(service)
    text = (k8s.VALUES_FILE).read_text().lower()
    assert "apitoken:" not in text and "password:" not in text


def test_service_urls_match_the_manifests(values):
    services = {doc["metadata"]["name"]: doc for doc, _ in _all_objects() if doc["kind"] == "Service"}
    for name, entry in values["hub"]["services"].items():
        if "url" not in entry or name == "dask-gateway":  # the dask-gateway chart's own Service
            continue
        url = urlparse(entry["url"])
        assert url.hostname in services, f"hub.services.{name} points at {url.hostname}, not defined in the manifests"
        assert url.port in [p["port"] for p in services[url.hostname]["spec"]["ports"]]


def _all_objects():
    return [
        item
        for path in sorted(k8s.MANIFESTS_DIR.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for item in load_objects(path)
    ]


def test_roles_give_users_and_the_refresher_the_data_api_only(values):
    roles = values["hub"]["loadRoles"]
    assert roles["user"]["scopes"] == ["self", "access:services!service=data-api"]
    assert roles["dask-gateway-users"] == {
        **roles["dask-gateway-users"],
        "groups": ["members"],
        "scopes": ["access:services!service=dask-gateway"],
    }
    assert roles["stories-refresher"] == {
        **roles["stories-refresher"],
        "scopes": ["access:services!service=data-api"],
        "services": ["refresher"],
    }


def test_hub_runs_the_commons_configuration(values):
    (entry,) = values["hub"]["extraConfig"].values()
    assert "install_on_kubernetes(c)" in entry
    compile(entry, "hub.extraConfig", "exec")


def test_idle_servers_are_culled(values):
    cull = values["cull"]
    assert cull["enabled"] is True and 0 < cull["timeout"] <= 4 * 3600 and cull["every"] > 0


def test_user_egress_allow_rules_are_all_off(values):
    rules = values["singleuser"]["networkPolicy"]["egressAllowRules"]
    assert set(rules) == {
        "cloudMetadataServer",
        "dnsPortsCloudMetadataServer",
        "dnsPortsKubeSystemNamespace",
        "dnsPortsPrivateIPs",
        "nonPrivateIPs",
        "privateIPs",
    }
    assert not any(rules.values())


def egress_destinations(policy: dict) -> list[tuple[str, int]]:
    """(peer kind and labels, port) for every egress rule; an ipBlock peer is returned with its CIDR."""
    found = []
    for rule in policy["spec"]["egress"]:
        assert rule.get("to"), f"an egress rule without `to` allows every destination: {rule}"
        assert rule.get("ports"), f"an egress rule without `ports` allows every port: {rule}"
        for peer in rule["to"]:
            for port in rule["ports"]:
                if "ipBlock" in peer:
                    found.append(
                        (f"ipBlock {peer['ipBlock']['cidr']} except {peer['ipBlock'].get('except', [])}", port["port"])
                    )
                else:
                    labels = {
                        **peer.get("podSelector", {}).get("matchLabels", {}),
                        **{f"ns:{k}": v for k, v in peer.get("namespaceSelector", {}).get("matchLabels", {}).items()},
                    }
                    found.append((json.dumps(labels, sort_keys=True), port["port"]))
    return found


def test_user_pods_reach_only_the_hub_and_the_data_api(values):
    policy = singleuser_network_policy(values)
    assert not check_object(policy, k8s.VALUES_FILE, {})  # a valid V1NetworkPolicy
    destinations = egress_destinations(policy)
    by_port = {}
    for peer, port in destinations:
        by_port.setdefault(port, set()).add(peer)
    hub = json.dumps({"app": "jupyterhub", "component": "hub", "release": "commons"}, sort_keys=True)
    proxy = json.dumps({"app": "jupyterhub", "component": "proxy", "release": "commons"}, sort_keys=True)
    autohttps = json.dumps({"app": "jupyterhub", "component": "autohttps", "release": "commons"}, sort_keys=True)
    data_api = json.dumps({"app.kubernetes.io/name": "commons-data-api"}, sort_keys=True)
    dns = json.dumps({"k8s-app": "kube-dns", "ns:kubernetes.io/metadata.name": "kube-system"}, sort_keys=True)
    gateway = json.dumps(
        {"app.kubernetes.io/name": "dask-gateway", "app.kubernetes.io/component": "traefik"}, sort_keys=True
    )
    # The hub API; the proxy and autohttps (the chart's fixed rules: the hub's public front, which routes only to
    # the hub and the services); the data-api; DNS at kube-dns only.
    assert by_port == {
        8081: {hub},
        8000: {proxy, gateway},
        8080: {autohttps},
        8443: {autohttps},
        10101: {data_api},
        8786: {gateway},
        53: {dns},
    }


def test_cloud_metadata_is_unreachable(values):
    """No egress rule has an IP block, so no rule can match 169.254.169.254; and the iptables block is on."""
    metadata = ipaddress.ip_address(values["singleuser"]["cloudMetadata"]["ip"])
    assert str(metadata) == "169.254.169.254" and values["singleuser"]["cloudMetadata"]["blockWithIptables"] is True
    for rule in singleuser_network_policy(values)["spec"]["egress"]:
        for peer in rule["to"]:
            if "ipBlock" in peer:
                inside = metadata in ipaddress.ip_network(peer["ipBlock"]["cidr"])
                excepted = any(metadata in ipaddress.ip_network(c) for c in peer["ipBlock"].get("except", []))
                assert not inside or excepted, f"egress rule allows the cloud metadata server: {rule}"


def test_chart_defaults_would_have_allowed_public_ips(values, chart_defaults):
    """Why every flag is set: without them the chart's defaults allow every public IP (the test can fail)."""
    lax = copy.deepcopy(values)
    del lax["singleuser"]["networkPolicy"]["egressAllowRules"]
    lax = helm_merge(chart_defaults, lax)
    rules = singleuser_network_policy(lax)["spec"]["egress"]
    assert {
        "to": [
            {
                "ipBlock": {
                    "cidr": "0.0.0.0/0",
                    "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.169.254/32"],
                }
            }
        ]
    } in rules
    with pytest.raises(AssertionError, match="allows every port"):
        egress_destinations(singleuser_network_policy(lax))


def test_bad_yaml_names_file_line_and_column(tmp_path):
    bad = tmp_path / "values.yaml"
    bad.write_text("hub:\n  db:\n    type: postgres\n   url: [\n")
    with pytest.raises(ConfigurationError, match=r"values.yaml:4:\d+: not valid YAML"):
        k8s.load_values(bad)
