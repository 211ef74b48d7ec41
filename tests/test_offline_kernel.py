"""The startup files `make test` puts in the lesson kernel: outbound network is refused
(so lessons are proven offline) and a trailing ';' silences output as in JupyterLab."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parent / "support"


# Installed *before* the startup file, so the "real" functions it saves are these
# sentinels: if the block ever let a call through, the test fails here instead of sending
# a packet out (or asking a DNS server).
SENTINEL = """
import socket
def _never(*args, **kwargs):
    raise AssertionError(f"a real network call was attempted: {args[1:] or args!r}")
for _name in ("connect", "connect_ex", "sendto", "sendmsg"):
    setattr(socket.socket, _name, _never)
for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "create_connection"):
    setattr(socket, _name, _never)
"""


def _run(code: str, *, sentinel: bool = True) -> subprocess.CompletedProcess:
    prelude = (SENTINEL if sentinel else "") + (SUPPORT / "no_network.py").read_text()
    return subprocess.run([sys.executable, "-c", prelude + "\n" + code], capture_output=True, text=True, timeout=30)


# Each call goes to TEST-NET-1 (192.0.2.0/24, never routed) or to a reserved .invalid name,
# so even a broken block could not reach a real host.
BLOCKED = {
    "connect": "s = socket.socket(); s.settimeout(2); s.connect(('192.0.2.1', 80))",
    "connect by name": "s = socket.socket(); s.connect(('example.invalid', 80))",
    "connect_ex": "s = socket.socket(); s.connect_ex(('192.0.2.1', 80))",
    "connect IPv6": "s = socket.socket(socket.AF_INET6); s.connect(('2001:db8::1', 80))",
    "sendto (UDP)": "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('192.0.2.1', 53))",
    "sendto with flags": "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', 0, ('192.0.2.1', 53))",
    "sendmsg (UDP)": "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendmsg([b'x'], [], 0, ('192.0.2.1', 53))",
    "getaddrinfo (DNS)": "socket.getaddrinfo('example.invalid', 80)",
    "gethostbyname (DNS)": "socket.gethostbyname('example.invalid')",
    "gethostbyname_ex (DNS)": "socket.gethostbyname_ex('example.invalid')",
    "create_connection": "socket.create_connection(('example.invalid', 80), timeout=2)",
    "urllib": "import urllib.request; urllib.request.urlopen('http://example.invalid/', timeout=2)",
}


@pytest.mark.parametrize("call", BLOCKED.values(), ids=BLOCKED.keys())
def test_outbound_network_is_refused_with_a_clear_message(call):
    res = _run("import socket\n"
               "try:\n"
               f"    {call}\n"
               "    print('NOT BLOCKED')\n"
               "except OSError as e:\n"
               "    print('refused:', type(e).__name__, e)\n")
    assert res.returncode == 0, res.stderr          # the sentinel raised: a real call got through
    assert "NOT BLOCKED" not in res.stdout
    assert "refused:" in res.stdout and "lessons must run offline" in res.stdout, res.stdout


LOOPBACK = {
    "connect": ("srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n"
                "c = socket.socket(); c.connect(srv.getsockname()); print('ok')"),
    "connect_ex": ("srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n"
                   "c = socket.socket(); print('ok' if c.connect_ex(srv.getsockname()) == 0 else 'failed')"),
    "create_connection to localhost": (
        "srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n"
        "c = socket.create_connection(('localhost', srv.getsockname()[1]), timeout=5); print('ok')"),
    "UDP sendto / sendmsg": (
        "r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(('127.0.0.1', 0))\n"
        "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "u.sendto(b'a', r.getsockname()); u.sendmsg([b'b'], [], 0, r.getsockname())\n"
        "print('ok' if r.recv(1) + r.recv(1) == b'ab' else 'failed')"),
    "getaddrinfo localhost": "print('ok' if socket.getaddrinfo('localhost', 80) else 'failed')",
    "getaddrinfo None": "print('ok' if socket.getaddrinfo(None, 80) else 'failed')",
    "gethostbyname 127.0.0.1": "print('ok' if socket.gethostbyname('127.0.0.1') == '127.0.0.1' else 'failed')",
    "unix socket pair": "a, b = socket.socketpair(); a.sendall(b'x'); print('ok' if b.recv(1) == b'x' else 'failed')",
}


@pytest.mark.parametrize("code", LOOPBACK.values(), ids=LOOPBACK.keys())
def test_loopback_still_works(code):
    res = _run("import socket\n" + code + "\n", sentinel=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "ok", res.stdout


def test_the_startup_file_is_what_make_test_installs():
    makefile = (SUPPORT.parents[1] / "Makefile").read_text()
    assert "cp tests/support/no_network.py $$IPYTHONDIR/profile_default/startup/" in makefile


def test_semicolon_shim_silences_the_running_cell():
    # Executed the way nbval does it (store_history=False), in a separate process
    # because the shim patches IPython's DisplayHook class.
    code = ("from IPython.core.interactiveshell import InteractiveShell\n"
            "shell = InteractiveShell.instance()\n"
            f"exec(open({str(SUPPORT / 'semicolon.py')!r}).read(), {{}})\n"
            "shell.run_cell('40 + 2;', store_history=False)\n"
            "print('--')\n"
            "shell.run_cell('40 + 2', store_history=False)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    silenced, shown = res.stdout.split("--")
    assert "42" not in silenced, "a trailing ';' must silence the result"
    assert "42" in shown, "without ';' the result must still be displayed"
