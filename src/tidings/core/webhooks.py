"""Calling a webhook (a monitor's, an organisation's) without being turned against our own network.

The address is parsed by urllib3, the parser that makes the connection, and refused when it
carries user information or a backslash (where parsers disagree about the host). At delivery the
host is resolved once, every address checked, and the connection made to that checked address
(with the name kept for TLS and the Host header), so a name that resolves elsewhere a moment later
cannot redirect the call. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from urllib3.util import parse_url

from tidings.core.errors import Invalid

TIMEOUT = urllib3.Timeout(connect=3, read=5)


def _parts(url: str) -> tuple[str, str, int, str]:
    bad = Invalid(_("A webhook is an http or https address."), field="webhook_url")
    if len(url) > 400 or "\\" in url or any(c.isspace() or ord(c) < 32 for c in url):
        raise bad
    try:
        parsed = parse_url(url)
    except (ValueError, urllib3.exceptions.LocationParseError):
        raise bad from None
    if parsed.scheme not in ("http", "https") or not parsed.host or parsed.auth:
        raise bad
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.scheme, parsed.host.strip("[]"), port, parsed.request_uri


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global


def _checked(host: str, port: int) -> str:
    """One address of the host that may be called; Invalid when it resolves to none, or to any
    private or local one (unless the operator allows those)."""
    found = _addresses(host, port)
    if not found:
        raise Invalid(_("The webhook's host name does not resolve."), field="webhook_url")
    if not settings.FETCH_PRIVATE_ADDRESSES and any(_private(a) for a in found):
        raise Invalid(_("A webhook cannot point at a private or local address."), field="webhook_url")
    return found[0]


def signature(secret: str, body: bytes) -> str:
    """What the receiver recomputes with the shared secret to know the call is ours."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def clean(url: str) -> str:
    """The webhook address as saved, or Invalid with the reason."""
    url = url.strip()
    if not url:
        return ""
    _scheme, host, port, _path = _parts(url)
    _checked(host, port)
    return url


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to the webhook, pinned to the address just checked; returns the status. Raises
    Invalid for an address it may not call and urllib3's errors for a failed call."""
    scheme, host, port, path = _parts(url)
    address = _checked(host, port)
    wanted = {**headers, "Host": host if port in (80, 443) else f"{host}:{port}"}
    if scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address, port, server_hostname=host, assert_hostname=host, timeout=TIMEOUT, retries=False
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=TIMEOUT, retries=False)
    with pool:
        response = pool.urlopen("POST", path, body=body, headers=wanted, redirect=False)
        return int(response.status)
