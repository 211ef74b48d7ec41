"""The startup files `make test` puts in the lesson kernel: outbound network is refused
(so lessons are proven offline) and a trailing ';' silences output as in JupyterLab."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SUPPORT = Path(__file__).resolve().parent / "support"


# Installed *before* the startup file, so its saved "real" connect is this sentinel:
# if the block ever failed, the test fails here instead of sending a packet out.
SENTINEL = ("import socket\n"
            "def _never(self, address):\n"
            "    raise AssertionError(f'a real connection to {address!r} was attempted')\n"
            "socket.socket.connect = _never\n")


def _run(code: str, *, sentinel: bool = True) -> subprocess.CompletedProcess:
    prelude = (SENTINEL if sentinel else "") + (SUPPORT / "no_network.py").read_text()
    return subprocess.run([sys.executable, "-c", prelude + "\n" + code], capture_output=True, text=True, timeout=30)


def test_outbound_connection_is_refused_with_a_clear_message():
    res = _run("import socket\ns = socket.socket()\ns.settimeout(2)\n"
               "try:\n    s.connect(('192.0.2.1', 80))\nexcept ConnectionRefusedError as e:\n    print('refused:', e)\n")
    assert res.returncode == 0, res.stderr
    assert "refused:" in res.stdout and "lessons must run offline" in res.stdout


def test_loopback_still_works():
    res = _run("import socket\nsrv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n"
               "c = socket.socket(); c.connect(srv.getsockname()); print('connected')\n", sentinel=False)
    assert res.returncode == 0, res.stderr
    assert "connected" in res.stdout


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
