"""A time limit on calls to a server that may stop answering: the caller gets an error and moves on.

Chroma's HTTP client waits for ever (its httpx session has no timeout and no setting for one), and a question
waiting for ever keeps one of the app's few answering slots. Each call runs in a daemon thread instead; when the
limit passes, the caller raises `DeadlineExceeded` and the thread is left to finish or fail on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DeadlineExceeded(TimeoutError):
    """A call took longer than its limit."""

    def __init__(self, what: str, seconds: float):
        super().__init__(f"no answer within {seconds:g} s")
        self.what, self.seconds = what, seconds


def within(seconds: float, call: Callable[..., T], *args: Any, what: str = "", **kwargs: Any) -> T:
    """`call(*args, **kwargs)`, or DeadlineExceeded once `seconds` have passed without a result."""
    finished = threading.Event()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call(*args, **kwargs)
        except BaseException as err:  # handed to the caller as it is
            outcome["error"] = err
        finally:
            finished.set()

    threading.Thread(target=run, name=f"deadline:{what or getattr(call, '__name__', 'call')}", daemon=True).start()
    if not finished.wait(seconds):
        raise DeadlineExceeded(what, seconds)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class Bounded:
    """A proxy whose every method call runs `within(seconds)`; the objects calls return are bounded the same way,
    so a client's collections are too. Plain values (ids, names, results) come back as they are."""

    def __init__(self, target: Any, seconds: float, returns_bounded: tuple[type, ...] = ()):
        self._target, self._seconds, self._returns = target, seconds, returns_bounded

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            result = within(self._seconds, value, *args, what=name, **kwargs)
            return Bounded(result, self._seconds, self._returns) if isinstance(result, self._returns) else result

        return call

    def __repr__(self) -> str:
        return f"Bounded({self._target!r}, {self._seconds:g} s)"
