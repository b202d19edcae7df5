"""Cold start: a fresh process from launch to its first answer, for the command line and the app, with peak memory."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from chatbot.settings import Settings
from evals.bench.stats import summarize
from evals.processes import free_port, read_until_url, stop

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Do we need written approval for a digital double of our lead?"
TIMEOUT_S = 300
IDLE_CPU_SHARE = 0.05  # the app counts as warmed up once it uses less than this share of a core for a second
MB = 1e6


def run(settings: Settings, *, repeats: int, old: Settings | None = None) -> dict:
    """Launch `python -m chatbot QUESTION --json` and `python app.py` `repeats` times each over the built store.

    With `old` (the torch path, its own store), its launches alternate with these, so both meet the same load.
    """
    paths = {"new": settings, **({"old": old} if old is not None else {})}
    command = [sys.executable, "-m", "chatbot", QUESTION, "--json"]
    runs: dict[str, dict[str, list]] = {name: {"cli": [], "app": []} for name in paths}
    for name, path_settings in paths.items():  # not timed: each path's caches are written by its first start
        cli_once(command, _env(path_settings))
    for number in range(repeats):
        log.info("cold start: run %d of %d", number + 1, repeats)
        for name, path_settings in paths.items():
            runs[name]["cli"].append(cli_once(command, _env(path_settings)))
            runs[name]["app"].append(app_once(_env(path_settings), ask_through=name == "new"))
    results = {
        "question": QUESTION,
        "cli": {"command": " ".join(command[1:3]) + " QUESTION --json", **_summaries(runs["new"]["cli"])},
        "app": {"command": "python app.py, then gradio_client predict(api_name='/ask')", **_summaries(runs["new"]["app"])},
    }
    if old is not None:
        results["old"] = {"cli": _summaries(runs["old"]["cli"]), "app": _summaries(runs["old"]["app"])}
    return results


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "RAG_DATA_DIR": str(settings.data_dir), "RAG_CORPUS_DIR": str(settings.corpus_dir),
            "RAG_EMBEDDING_BACKEND": settings.embedding_backend, "RAG_LOAD_CACHE": str(settings.load_cache).lower(),
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


# Launches the command from a small process, so that the peak RSS it reports is the command's own: a child forked
# straight from the benchmark would count the benchmark's memory from before its exec.
_LAUNCHER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
completed = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"seconds": time.perf_counter() - started, "returncode": completed.returncode,
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "stdout": completed.stdout, "stderr": completed.stderr[-2000:]}))
"""


def cli_once(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from launch until the process has printed its answer and exited, and its peak RSS."""
    launched = subprocess.run([sys.executable, "-c", _LAUNCHER, *command], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT_S)
    if launched.returncode != 0:
        raise RuntimeError(f"launching {' '.join(command[1:3])} failed: {launched.stderr.strip()[-2000:]}")
    run = json.loads(launched.stdout)
    if run["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command[1:3])} exited with {run['returncode']}: {run['stderr'].strip()}")
    if not json.loads(run["stdout"]).get("citations"):
        raise RuntimeError(f"{' '.join(command[1:3])} answered without citations: {run['stdout'][:500]}")
    return {"first_answer_s": run["seconds"], "peak_rss_mb": run["peak_kb"] * 1024 / MB}


def app_once(env: dict[str, str], ask_through: bool = False) -> dict[str, float]:
    """Seconds until `python app.py` listens and until its first answer arrives; seconds until it is idle; peak RSS.

    Args:
        ask_through: also time `python -m chatbot --server URL QUESTION --json` against the idle app.
    """
    from gradio_client import Client

    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env={**env, "RAG_PORT": str(port)},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url, _ = read_until_url(process, [], TIMEOUT_S)
        listening = time.perf_counter() - started
        result = Client(url, verbose=False).predict(QUESTION, api_name="/ask")
        first_answer = time.perf_counter() - started
        if not result.get("citations"):
            raise RuntimeError(f"app.py answered without citations: {str(result)[:500]}")
        _wait_until_idle(process.pid)
        idle = time.perf_counter() - started
        figures = {"listening_s": listening, "first_answer_s": first_answer, "idle_s": idle,
                   "peak_rss_mb": _status_kib(process.pid, "VmHWM") * 1024 / MB}
        if ask_through:
            command = [sys.executable, "-m", "chatbot", "--server", url, QUESTION, "--json"]
            figures["cli_through_app_s"] = cli_once(command, env)["first_answer_s"]
        return figures
    finally:
        stop(process)


def _wait_until_idle(pid: int, timeout_s: float = TIMEOUT_S) -> None:
    """Return once the process uses under IDLE_CPU_SHARE of a core over a second (its warm-up is done)."""
    ticks = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout_s
    before = _cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        after = _cpu_ticks(pid)
        if (after - before) / ticks < IDLE_CPU_SHARE:
            return
        before = after
    log.warning("app.py was still busy %d s after launch", timeout_s)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {key}")


def _summaries(runs: list[dict[str, float]]) -> dict[str, dict]:
    return {key: summarize(run[key] for run in runs) for key in runs[0]} if runs else {}
