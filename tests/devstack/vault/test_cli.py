"""`python -m devstack.vault` serves hvac until it is terminated."""

import subprocess
import sys
from pathlib import Path

import hvac

from devstack.net import free_port, wait_for_port

REPO = Path(__file__).resolve().parents[3]


def test_command_line_server_answers_hvac():
    port = free_port()
    command = [sys.executable, "-m", "devstack.vault", "--port", str(port), "--root-token", "cli-root"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        wait_for_port(port, process=process)
        client = hvac.Client(url=f"http://127.0.0.1:{port}", token="cli-root")
        assert client.auth.token.lookup_self()["data"]["policies"] == ["root"]
        assert "cli-root" not in process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "stopped" in process.stdout.read()
