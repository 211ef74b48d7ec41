"""IPython startup file used by `make test`: refuse outbound (non-loopback) connections.

Copied into the test kernel's profile so that every lesson is proven to run offline.
"""
import ipaddress
import socket

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ConnectionRefusedError(f"exolab tests: network access to {host!r} is blocked; lessons must run offline")
    return _real_connect(self, address)


socket.socket.connect = _loopback_only
