"""Helpers for runs that start other processes: a free local port, the URL an app prints, a sure stop."""

from __future__ import annotations

import contextlib
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A local port nothing listens on (until someone binds it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen, grace_s: float = 20) -> None:
    """Ask `process` to end, and kill it when it has not ended within `grace_s` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def read_until_url(process: subprocess.Popen, output: list[str], timeout_s: float) -> tuple[str, threading.Thread]:
    """Wait until `python app.py` prints "Running on URL"; returns the URL and the thread reading its output.

    Every line the process prints is appended to `output`, during the wait and after it, until the process ends.
    Raises RuntimeError with what it printed when it exits first or prints no URL within `timeout_s`.
    """
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise RuntimeError(f"app.py printed no URL within {timeout_s:.0f} s:\n{''.join(output)[-4000:]}") from None
        if line.startswith("Running on "):
            return line.split()[2], reader
        if process.poll() is not None and lines.empty():
            raise RuntimeError(f"app.py exited with {process.returncode}:\n{''.join(output)[-4000:]}")


@contextlib.contextmanager
def app_py(env: dict[str, str], ready_timeout_s: float = 240) -> Iterator[tuple[subprocess.Popen, str]]:
    """`python app.py` with the environment `env`; yields it and the URL it printed, and stops it at the end.

    The process's `output` attribute holds every line it has printed, growing until it exits.
    """
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    output: list[str] = []
    reader = None
    try:
        url, reader = read_until_url(process, output, ready_timeout_s)
        process.output = output  # type: ignore[attr-defined]
        yield process, url
    finally:
        stop(process)
        if reader is not None:
            reader.join(timeout=10)
