"""Who a request comes from: the client's address behind the proxies we trust.

Behind a load balancer every request arrives from the balancer. `X-Forwarded-For` names the
client, but any client can send that header too: it is read only when the request comes from
a proxy named in settings.TRUSTED_PROXIES (addresses or networks; empty: trust none), right
to left, skipping the trusted hops. The first address that is not a trusted proxy is the
client. Rate limits, the admin lockout, the logs and the history all use this address.
"""

import ipaddress
from functools import cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def trusted_networks(setting: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in setting)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip().removeprefix("[").split("]")[0])
    except ValueError:
        return None


def is_trusted(address) -> bool:
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str:
    """The client's IP address, as text; REMOTE_ADDR unless it is a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    address = _address(remote)
    if not is_trusted(address):
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        hop_address = _address(hop)
        if hop_address is None:
            break  # a malformed hop: trust nothing to its left
        address = hop_address
        if not is_trusted(hop_address):
            return str(hop_address)
    return str(address) if address is not None else remote


def rate_limit_key(request) -> str:
    """The client for rate limits: its IPv4 address, or its IPv6 /64 (one household or host)."""
    text = client_address(request)
    address = _address(text)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return text
