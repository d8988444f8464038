"""The NetworkPolicy Zero to JupyterHub renders for user pods, computed from the values without Helm.

Mirrors the chart's templates/singleuser/netpol.yaml and the egress rules of _helpers-netpol.tpl (chart 4.4.0), so
tests can check what user pods may reach: the chart's fixed hub and proxy rules, then one rule per
``egressAllowRules`` flag, then the values' own ``egress``.
"""

from __future__ import annotations

from commons_hub.kubernetes import HUB_API_PORT, value_at


def singleuser_network_policy(values: dict, release: str = "commons", chart: str = "jupyterhub") -> dict:
    """The user pods' NetworkPolicy as the chart renders it from ``values``."""
    singleuser = values.get("singleuser") or {}
    policy = singleuser.get("networkPolicy") or {}
    allow = policy.get("egressAllowRules") or {}
    metadata_ip = value_at(singleuser, "cloudMetadata.ip", "169.254.169.254")

    def pods(component):
        return {"podSelector": {"matchLabels": {"component": component, "app": chart, "release": release}}}

    private = [{"ipBlock": {"cidr": cidr}} for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    egress = [
        {"to": [pods("hub")], "ports": [{"port": HUB_API_PORT}]},
        {"to": [pods("proxy")], "ports": [{"port": 8000}]},
        {"to": [pods("autohttps")], "ports": [{"port": 8080}, {"port": 8443}]},
    ]
    dns_to: list[dict] = []
    if allow.get("dnsPortsCloudMetadataServer"):
        dns_to.append({"ipBlock": {"cidr": f"{metadata_ip}/32"}})
    if allow.get("dnsPortsKubeSystemNamespace"):
        dns_to.append({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}})
    if allow.get("dnsPortsPrivateIPs"):
        dns_to += private
    if dns_to:
        egress.append({"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}], "to": dns_to})
    if allow.get("nonPrivateIPs"):
        egress.append(
            {
                "to": [
                    {
                        "ipBlock": {
                            "cidr": "0.0.0.0/0",
                            "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", f"{metadata_ip}/32"],
                        }
                    }
                ]
            }
        )
    if allow.get("privateIPs"):
        egress.append({"to": private})
    if allow.get("cloudMetadataServer"):
        egress.append({"to": [{"ipBlock": {"cidr": f"{metadata_ip}/32"}}]})
    egress += policy.get("egress") or []
    ingress = [
        {
            "ports": [{"port": "notebook-port"}],
            "from": [{"podSelector": {"matchLabels": {"hub.jupyter.org/network-access-singleuser": "true"}}}],
        }
    ]
    if policy.get("allowedIngressPorts"):
        ingress.insert(0, {"ports": [{"port": port} for port in policy["allowedIngressPorts"]]})
    ingress += policy.get("ingress") or []
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "singleuser"},
        "spec": {
            "podSelector": {"matchLabels": {"component": "singleuser-server", "app": chart, "release": release}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    }
