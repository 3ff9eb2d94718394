"""Starts a real coordinator node on free ports for the docs tools, and stops it by PID.

Used by transcripts.py and check_dashboard.py. Python standard library only.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_BINARY = os.path.join(REPO, "build", "release", "bin", "coordinator")
CONFIG = os.path.join(REPO, "conf", "coordinator.ini")

LISTENING = re.compile(r"http\+websocket listening on ([0-9.]+):([0-9]+)")


def shipped_option(section, key):
    """The value of `key` in `[section]` of conf/coordinator.ini (quotes stripped)."""
    current = None
    with open(CONFIG, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(";"):
                continue
            if line.startswith("[") and line.endswith("]"):
                current = line[1:-1]
                continue
            if current == section and "=" in line:
                k, v = line.split("=", 1)
                if k.strip() == key:
                    return v.strip().strip('"')
    raise KeyError(f"{section}.{key} not in {CONFIG}")


class Node:
    """A coordinator process on 127.0.0.1, port 0, with a temporary SQLite file."""

    def __init__(self, binary=DEFAULT_BINARY, extra_args=()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.tmp = None
        self.proc = None
        self.host = None
        self.port = None

    def __enter__(self):
        if not os.access(self.binary, os.X_OK):
            raise SystemExit(f"{self.binary} is not built: run `bash scripts/build.sh` first")
        self.tmp = tempfile.mkdtemp(prefix="coordinator-docs-")
        args = [self.binary, f"--config-file={CONFIG}", "--coordinator.port=0",
                "--console.port=0", f"--store.path={self.tmp}/db.sqlite",
                "--log.level=warn"] + self.extra_args
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, cwd=REPO)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = LISTENING.search(line)
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                return self
        self.__exit__(None, None, None)
        raise SystemExit("the node did not print its listening address")

    @property
    def http(self):
        return f"http://{self.host}:{self.port}"

    @property
    def ws(self):
        return f"ws://{self.host}:{self.port}"

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False
