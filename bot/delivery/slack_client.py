"""The Slack Web API client the bot calls with: short timeouts and a brief retry for calls made while
someone waits for the answer (views.open must land inside its trigger's 3 s)."""

from __future__ import annotations

import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.settings import Settings

INLINE_TIMEOUT = 2.5  # seconds: a call made before the answer (views.open: its trigger lasts 3 s)
INLINE_RETRY_AFTER = 1.0  # an inline call waits out a rate limit only this short


class BriefRateLimitRetry(RateLimitErrorRetryHandler):
    """Retry a rate-limited inline call only when Slack asks for a short wait; a longer one fails at once,
    so the person hears "try again in a moment" inside Slack's 3 s instead of an error after it."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and retry_after(response.headers) <= INLINE_RETRY_AFTER
        )

    def prepare_for_next_attempt(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(retry_after(response.headers if response is not None else None))
        state.increment_current_attempt()


def slack_client(settings: Settings, *, retries: bool = True) -> WebClient:
    """The real Web API client. Inline calls (views.open, users.info) are short and retry once on a brief
    rate limit or a dropped connection; the worker's client retries nothing itself: it reschedules the row."""
    handlers = (
        [BriefRateLimitRetry(max_retry_count=1), ConnectionErrorRetryHandler(max_retry_count=1)]
        if retries
        else []
    )
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=INLINE_TIMEOUT if retries else 10,  # type: ignore[arg-type]  # urllib takes a float; typed int
        retry_handlers=handlers,
    )


def retry_after(headers: Any) -> float:
    raw = None
    if headers:
        raw = headers.get("Retry-After") or headers.get("retry-after")
        if isinstance(raw, list):
            raw = raw[0] if raw else None
    try:
        return max(0.05, float(raw)) if raw is not None else 1.0
    except ValueError:
        return 1.0
