"""Guessing links is throttled: too many unknown links from one address, and it gets 429.

Only failed look-ups count (a 404: no such link), so an alumnus answering page after page
is never slowed down, while someone trying tokens is stopped after ``TOKEN_FAILURE_LIMIT``
(e.g. "20 per minute") per client address, whatever link they try next.

The counter lives in the storage Flask-Limiter is configured with (``RATELIMIT_STORAGE_URI``:
Redis shared by every web host in production) and is kept by the ``limits`` library that
Flask-Limiter itself is built on. Flask-Limiter's own request machinery is not used for
these pages: it resolved the app's limits twice per request (before the request and around
the view), about 0.25 ms of the 2 ms a survey page costs, to decide this one counter
(see BENCHMARKS.md, issue 9). The staff site keeps Flask-Limiter as it is.
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from flask import Blueprint, Response, current_app, g, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter
from werkzeug.exceptions import TooManyRequests

from survey_app.extensions import limiter

NAMESPACE = "respondent-link-failures"
logger = logging.getLogger(__name__)
STORAGE_RETRY_SECONDS = 30


@dataclass
class _Storage:
    """Per app: a fallback counter, used while the shared storage is unreachable (each process
    then counts on its own, which still stops a guesser; Flask-Limiter's in-memory fallback
    does the same), and until when the shared storage is not tried again."""

    fallback: RateLimiter = field(default_factory=lambda: FixedWindowRateLimiter(MemoryStorage()))
    down_until: float = 0.0  # time.monotonic()


T = TypeVar("T")


def init_blueprint(bp: Blueprint) -> None:
    """Guard every route of the respondent blueprint ``bp``."""
    bp.before_request(refuse_when_over_limit)
    bp.after_request(count_failure)

    @limiter.request_filter
    def _counted_here() -> bool:  # Flask-Limiter skips these requests: they are guarded above
        return request.blueprint == bp.name


@lru_cache(maxsize=8)
def _limit(text: str) -> RateLimitItem:
    return parse(text)


def _with_storage(call: Callable[[RateLimiter], T]) -> T:
    """``call`` on the shared storage, or on this process's memory while it is unreachable.

    After a storage error the shared storage is left alone for ``STORAGE_RETRY_SECONDS``: an
    unreachable Redis host would otherwise cost every survey request a connection timeout.
    """
    state: _Storage | None = current_app.extensions.get("jejak_link_guessing")
    if state is None:
        state = current_app.extensions.setdefault("jejak_link_guessing", _Storage())
    if time.monotonic() >= state.down_until:
        try:
            return call(limiter.limiter)
        except Exception:  # noqa: BLE001 - any storage error (Redis down…) must not break the survey
            logger.warning("rate-limit storage unreachable: counting failed link look-ups in this process "
                           "for %d s", STORAGE_RETRY_SECONDS)
            state.down_until = time.monotonic() + STORAGE_RETRY_SECONDS
    return call(state.fallback)


def refuse_when_over_limit() -> None:
    """Before a survey request: 429 once this address has used up its failed look-ups."""
    if not limiter.enabled:
        return
    item, address = _limit(current_app.config["TOKEN_FAILURE_LIMIT"]), get_remote_address()
    if _with_storage(lambda strategy: strategy.test(item, NAMESPACE, address)):
        return
    stats = _with_storage(lambda strategy: strategy.get_window_stats(item, NAMESPACE, address))
    g.link_guessing_retry_after = max(1, math.ceil(stats.reset_time - time.time()))
    raise TooManyRequests()


def count_failure(response: Response) -> Response:
    """After a survey request: a 404 (no such link) counts against the address."""
    if response.status_code == 404 and limiter.enabled:
        item, address = _limit(current_app.config["TOKEN_FAILURE_LIMIT"]), get_remote_address()
        _with_storage(lambda strategy: strategy.hit(item, NAMESPACE, address))
    retry_after = g.pop("link_guessing_retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response
