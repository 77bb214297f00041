"""Calling a webhook (a monitor's, an organisation's) without being turned against our own network,
and without being held by the other end. Every server-side call goes through `post`.

The address is parsed by urllib3 and refused when it carries user information or a backslash
(where parsers disagree about the host). At delivery the host is resolved once, every address
checked (an IPv6 address that carries an IPv4 one is judged by the IPv4 one too), and the
connection made to that checked address (with the name kept for TLS and the Host header), so a
name that resolves elsewhere a moment later cannot redirect the call. Redirects are not followed.

Once the name is resolved, a call ends after `settings.FETCH_SECONDS` in all, however slowly
the other end trickles (a watchdog cuts the connection: a time limit per read would let one byte
a second hold it for ever), and reads at most `settings.FETCH_MAX_BYTES` of the answer.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import threading
import time

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from urllib3.util import parse_url

from tidings.core.errors import Invalid

CONNECT_SECONDS = 3
# IPv6 prefixes whose last 32 bits are an IPv4 address a translator reaches: NAT64's, and the
# IPv4-translated form (SIIT, ::ffff:0:a.b.c.d).
_NAT64 = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("::ffff:0:0:0/96"),
)


class CutOff(OSError):
    """The receiver did not answer within the time a call may take."""


def _parts(url: str) -> tuple[str, str, int, str]:
    bad = Invalid(_("A webhook is an http or https address."), field="webhook_url")
    if len(url) > 400 or any(c.isspace() or ord(c) < 32 for c in url):
        raise bad
    if "\\" in url:
        raise Invalid(_("A webhook address cannot contain a backslash."), field="webhook_url")
    try:
        parsed = parse_url(url)
    except (ValueError, urllib3.exceptions.LocationParseError):
        raise bad from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise bad
    if parsed.auth is not None:
        raise Invalid(
            _("A webhook address cannot contain a user name or a password (the part before @)."),
            field="webhook_url",
        )
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.scheme, parsed.host.strip("[]"), port, parsed.request_uri


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        return []
    # The resolver's order is the system's preference (RFC 6724: IPv6 or IPv4 first as this host
    # is connected); only duplicates go.
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _private(str(ip.ipv4_mapped))
        if int(ip) >> 32 == 0:  # "::a.b.c.d", the deprecated IPv4-compatible form, "::" and "::1"
            return True
        inside = ip.sixtofour
        if inside is None and any(ip in net for net in _NAT64):
            inside = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if (inside is not None and _private(str(inside))) or ip.is_site_local:
            return True
    return not ip.is_global or ip.is_multicast


def _checked(host: str, port: int) -> list[str]:
    """The host's addresses, every one of which may be called; Invalid when it resolves to none,
    or to any private or local one (unless the operator allows those)."""
    found = _addresses(host, port)
    if not found:
        raise Invalid(_("The webhook's host name does not resolve."), field="webhook_url")
    if not settings.FETCH_PRIVATE_ADDRESSES and any(_private(a) for a in found):
        raise Invalid(_("A webhook cannot point at a private or local address."), field="webhook_url")
    return found


def _connect(addresses: list[str], port: int, seconds: float) -> socket.socket:
    """The first of the checked addresses that takes the connection, in order, all within
    `seconds`: a receiver with an IPv6 and an IPv4 address is reached on the other when one
    does not answer."""
    deadline = time.monotonic() + seconds
    failure: OSError = TimeoutError("no address answered in time")
    for address in addresses:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            return socket.create_connection((address, port), timeout=min(CONNECT_SECONDS, left))
        except OSError as error:
            failure = error
    raise failure


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


class _Watchdog:
    """Cuts the connection when the call's time is up, whatever it is blocked in (connecting,
    the TLS handshake, sending, the answer's headers or body)."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        # A copy of the descriptor: shutting it down ends the connection under TLS too.
        with self._lock:
            self._socket = sock.dup()
            if self.fired:
                self._cut()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._cut()

    def _cut(self) -> None:
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._socket is not None:
                self._socket.close()
                self._socket = None


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST to the webhook, pinned to the addresses just checked; returns the status. Raises
    Invalid for an address it may not call, CutOff when the answer's status and headers did not
    come in time, and OSError or http.client's errors for a failed call."""
    scheme, host, port, path = _parts(url)
    addresses = _checked(host, port)
    name = f"[{host}]" if ":" in host else host
    default_port = 443 if scheme == "https" else 80
    wanted = {
        "User-Agent": "Tidings-Webhook",
        **headers,
        "Host": name if port == default_port else f"{name}:{port}",
        "Connection": "close",
    }
    seconds = settings.FETCH_SECONDS
    watchdog = _Watchdog(seconds)
    conn = http.client.HTTPConnection(host, port)
    try:
        try:
            sock = _connect(addresses, port, seconds)
            sock.settimeout(seconds)  # the watchdog ends the call before any one read would
            watchdog.watch(sock)
            if scheme == "https":
                context = ssl.create_default_context()
                context.minimum_version = ssl.TLSVersion.TLSv1_2
                sock = context.wrap_socket(sock, server_hostname=host)
            conn.sock = sock
            conn.request("POST", path, body=body, headers=wanted)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as failure:
            if watchdog.fired:
                message = _("The receiver did not answer within %(seconds)d seconds.") % {"seconds": seconds}
                raise CutOff(str(message)) from failure
            raise
        try:
            # The status is the answer; a little of the body is read so the receiver can finish
            # writing it, within the call's time and size.
            response.read(settings.FETCH_MAX_BYTES)
        except (OSError, http.client.HTTPException):
            pass
        return int(response.status)
    finally:
        watchdog.stop()
        conn.close()
