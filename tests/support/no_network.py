"""IPython startup file used by `make test`: refuse outbound (non-loopback) network access.

Copied into the test kernel's profile so that every lesson is proven to run offline.
Patching ``connect`` alone is not enough: UDP ``sendto``/``sendmsg`` send packets without
connecting, ``connect_ex`` reports errors by number instead of raising, and a name lookup
(``getaddrinfo``, ``gethostbyname``) asks the DNS server before any socket is opened.
Loopback (127.0.0.0/8, ::1, "localhost") and Unix sockets stay allowed: the kernel and
Jupyter talk to each other that way.
"""
import errno
import ipaddress
import socket

_MESSAGE = "exolab tests: network access to {!r} is blocked; lessons must run offline"
_INET = (socket.AF_INET, socket.AF_INET6)


def _is_loopback(host) -> bool:
    if host is None or host in ("", "localhost", b"localhost"):
        return True  # getaddrinfo(None, port) means the local host
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return str(host).lower().endswith(".localhost")


def _host(address):
    return address[0] if isinstance(address, tuple) and address else None


def _refuse(host):
    raise ConnectionRefusedError(errno.ECONNREFUSED, _MESSAGE.format(host))


_real = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "sendto": socket.socket.sendto,
    "sendmsg": getattr(socket.socket, "sendmsg", None),
    "getaddrinfo": socket.getaddrinfo,
    "gethostbyname": socket.gethostbyname,
    "gethostbyname_ex": socket.gethostbyname_ex,
    "create_connection": socket.create_connection,
}


def _connect(self, address):
    if self.family in _INET and not _is_loopback(_host(address)):
        _refuse(_host(address))
    return _real["connect"](self, address)


def _connect_ex(self, address):
    if self.family in _INET and not _is_loopback(_host(address)):
        _refuse(_host(address))  # an exception, not an errno: a silent failure hides the attempt
    return _real["connect_ex"](self, address)


def _sendto(self, data, *args):
    address = args[-1] if args else None  # sendto(data, address) or sendto(data, flags, address)
    if self.family in _INET and not _is_loopback(_host(address)):
        _refuse(_host(address))
    return _real["sendto"](self, data, *args)


def _sendmsg(self, buffers, *args):
    address = args[2] if len(args) >= 3 else None  # sendmsg(buffers, ancdata, flags, address)
    if address is not None and self.family in _INET and not _is_loopback(_host(address)):
        _refuse(_host(address))
    return _real["sendmsg"](self, buffers, *args)


def _getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host):
        _refuse(host)
    return _real["getaddrinfo"](host, *args, **kwargs)


def _gethostbyname(host):
    if not _is_loopback(host):
        _refuse(host)
    return _real["gethostbyname"](host)


def _gethostbyname_ex(host):
    if not _is_loopback(host):
        _refuse(host)
    return _real["gethostbyname_ex"](host)


def _create_connection(address, *args, **kwargs):
    if not _is_loopback(_host(address)):
        _refuse(_host(address))  # before the lookup: no DNS query for a remote name either
    return _real["create_connection"](address, *args, **kwargs)


socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex
socket.socket.sendto = _sendto
if _real["sendmsg"] is not None:
    socket.socket.sendmsg = _sendmsg
socket.getaddrinfo = _getaddrinfo
socket.gethostbyname = _gethostbyname
socket.gethostbyname_ex = _gethostbyname_ex
socket.create_connection = _create_connection
