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

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310
            # Any unknown path answers 200 with the app's HTML: only the exact body counts.
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


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
        subprocess.run(
            [sys.executable, "-m", "diagnostics", "init-db", "--demo"],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            check=True,
            timeout=300,
        )
        port = _free_port()
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
            if _healthy(self.url):
                return self.url
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"streamlit did not start:\n{self.log_path.read_text()[-4000:]}")

    def cpu_seconds(self) -> float:
        """utime + stime of the server process so far (what the app itself spent)."""
        if self.process is None:
            return 0.0
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
