"""A real `streamlit run app.py` on a free port with a fresh SQLite file, as `make run`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.commands import run_cli

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    """Whether the app at `url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310
            # Any unknown path answers 200 with the app's HTML: only the exact body counts.
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_process(process: subprocess.Popen | None, timeout_s: float) -> None:
    """Terminate a server still running, and kill it if it has not gone within `timeout_s`."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout_s)


class Server:
    """The app served from the repository against `workdir/app.db` (seeded with the demo)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.database_url = f"sqlite:///{workdir / 'app.db'}"
        self.env = {**os.environ, "DATABASE_URL": self.database_url}
        self.env.pop("STREAMLIT_SERVER_PORT", None)
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.log_path = workdir / "streamlit.log"

    def start(self) -> str:
        run_cli("init-db", "--demo", env=self.env, timeout=300, check=True)
        port = free_port()
        command = [sys.executable, "-m", "streamlit", "run", "app.py"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        command += ["--server.fileWatcherType", "none"]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.process.poll() is None:
            if healthy(self.url):
                return self.url
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"streamlit did not start:\n{self.log_path.read_text()[-4000:]}")

    def cpu_seconds(self) -> float:
        """utime + stime of the server process so far (what the app itself spent)."""
        return 0.0 if self.process is None else process_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        stop_process(self.process, timeout_s=10)
