"""Realistic mode: latency per round trip, Slack's rate limits (429 + Retry-After), and a time scale.

Time is a fake monotonic clock the workspace is given (its `sleep` moves it), so no test waits out a
window; one test measures a real latency as a lower bound.
"""

from __future__ import annotations

import json
import threading
import time
import types
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from ws_helpers import ANNOUNCE, STUDENT, SUPERVISOR, TOKEN, Clock

from workspace import Channel, MethodStats, Realism, User, Workspace
from workspace.rate_limits import LIMITS, Bucket, MethodLimit, RateLimiter, Window
from workspace.realism import PRECISE_RETRY_HEADER
from workspace.server import serve
from workspace.webapi import METHODS


class Monotonic:
    """A monotonic clock for the workspace's realism; `sleep` moves it instead of waiting."""

    def __init__(self) -> None:
        self.now = 5_000.0
        self.slept: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            self.now += seconds


@pytest.fixture
def mono() -> Monotonic:
    return Monotonic()


def realistic(mono: Monotonic, **settings: Any) -> Realism:
    return Realism(clock=mono, sleep=mono.sleep, **settings)


def raw_call(ws: Workspace, method: str, params: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """One Web API call as bytes on the wire: status, headers, JSON body."""
    request = urllib.request.Request(
        ws.api_url + method,
        data=json.dumps(params).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers.items()), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), json.loads(exc.read())


def refused(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as failure:
        call()
    return failure.value


# off by default ------------------------------------------------------------------------------------------


def test_off_by_default_every_call_answers_at_once(ws: Workspace, client: WebClient) -> None:
    assert ws.realism is None
    for _ in range(LIMITS["users.list"].window.calls + 5):
        client.users_list()
    assert ws.api_stats()["users.list"] == MethodStats(calls=25, ratelimited=0)


def test_set_realism_none_switches_it_off(ws: Workspace, client: WebClient, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono))
    for _ in range(20):
        client.users_list()
    assert refused(client.users_list).response.status_code == 429
    assert ws.set_realism(None) is None and ws.realism is None
    client.users_list()
    assert ws.api_stats()["users.list"] == MethodStats(calls=22, ratelimited=1)


def test_realism_as_a_constructor_argument(mono: Monotonic) -> None:
    settings = realistic(mono, latency=0.3, time_scale=60)
    ws = Workspace(users=[User(id=STUDENT, name="an", real_name="An")], bot_token=TOKEN, realism=settings)
    with serve(ws) as server:
        assert ws.realism == settings
        WebClient(token=TOKEN, base_url=ws.api_url).auth_test()
    assert not server.running
    assert mono.slept == [pytest.approx(0.005)]


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        Realism(time_scale=0)
    with pytest.raises(ValueError):
        Realism(latency=-1)


def test_realism_and_keywords_together_are_refused(ws: Workspace) -> None:
    with pytest.raises(TypeError):
        ws.set_realism(Realism(), latency=0.3)


# rate limits ---------------------------------------------------------------------------------------------


def test_a_tier_limit_answers_429_with_retry_after(ws: Workspace, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono))
    for _ in range(20):  # users.list is Tier 2: 20 a minute
        assert raw_call(ws, "users.list", {})[0] == 200
    status, headers, body = raw_call(ws, "users.list", {})
    assert (status, body) == (429, {"ok": False, "error": "ratelimited"})
    assert headers["Retry-After"] == "60" and headers[PRECISE_RETRY_HEADER] == "60.000"
    mono.advance(59.5)
    status, headers, _ = raw_call(ws, "users.list", {})
    assert (status, headers["Retry-After"]) == (429, "1")
    mono.advance(0.5)
    assert raw_call(ws, "users.list", {})[0] == 200
    assert ws.api_stats()["users.list"] == MethodStats(calls=23, ratelimited=2)
    assert [c.error for c in ws.calls("users.list")][-3:] == ["ratelimited", "ratelimited", None]


def test_limits_are_per_method(ws: Workspace, client: WebClient, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono))
    for _ in range(20):
        client.users_list()
    assert refused(client.users_list).response["error"] == "ratelimited"
    assert client.users_info(user=STUDENT)["user"]["id"] == STUDENT
    assert client.conversations_open(users=STUDENT)["ok"]
    stats = ws.api_stats()
    assert stats["users.info"] == MethodStats(1, 0) and stats["conversations.open"] == MethodStats(1, 0)


def test_the_window_slides(ws: Workspace, client: WebClient, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono))
    for _ in range(10):
        client.users_list()
    mono.advance(30)
    for _ in range(10):
        client.users_list()
    mono.advance(15)
    assert refused(client.users_list).response.headers["Retry-After"] == "15"
    mono.advance(15)  # the first ten left the window, the last ten did not
    for _ in range(10):
        client.users_list()
    assert refused(client.users_list).response.status_code == 429


def test_a_refused_call_has_no_effect(ws: Workspace, client: WebClient, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono))
    for n in range(3):
        client.chat_postMessage(channel=ANNOUNCE, text=f"bericht {n}")
    failure = refused(lambda: client.chat_postMessage(channel=ANNOUNCE, text="te veel"))
    assert failure.response.status_code == 429
    assert [m.text for m in ws.messages(ANNOUNCE)] == ["bericht 0", "bericht 1", "bericht 2"]


def test_post_message_is_limited_per_channel(ws: Workspace, client: WebClient, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono))
    for _ in range(3):  # a short burst is allowed
        client.chat_postMessage(channel=ANNOUNCE, text="aankondiging")
    failure = refused(lambda: client.chat_postMessage(channel=ANNOUNCE, text="nog een"))
    assert failure.response.status_code == 429 and failure.response.headers["Retry-After"] == "1"
    assert client.chat_postMessage(channel=ws.dm_channel(SUPERVISOR), text="elders")["ok"]
    mono.advance(1.0)  # one message a second per channel
    client.chat_postMessage(channel=ANNOUNCE, text="na een seconde")
    assert refused(lambda: client.chat_postMessage(channel=ANNOUNCE, text="te snel")).response["error"] == (
        "ratelimited"
    )
    assert ws.api_stats()["chat.postMessage"] == MethodStats(calls=7, ratelimited=2)


def test_post_message_to_a_user_id_posts_in_their_dm(
    ws: Workspace, client: WebClient, mono: Monotonic
) -> None:
    """Slack lets a bot post to a user id: the message lands in the bot's DM with that person, and for
    the per-channel limit the user id and the DM are one conversation."""
    ws.set_realism(realistic(mono))
    dm = ws.dm_channel(STUDENT)
    for n in range(3):
        answer = client.chat_postMessage(channel=STUDENT, text=f"stap {n} klaar")
        assert answer["channel"] == dm
    assert [m.text for m in ws.messages(dm)] == ["stap 0 klaar", "stap 1 klaar", "stap 2 klaar"]
    assert refused(lambda: client.chat_postMessage(channel=dm, text="stap 3")).response.status_code == 429


def test_post_message_workspace_wide_limit() -> None:
    limiter = RateLimiter()
    for n in range(300):  # spread over channels so no channel's burst runs out
        assert limiter.admit("chat.postMessage", f"C{n // 3}", now=float(n) / 10) is None
    assert limiter.admit("chat.postMessage", "C0NEW", now=30.0) == pytest.approx(30.0)
    assert limiter.admit("chat.postMessage", "C0NEW", now=60.0) is None


def test_limiter_arithmetic() -> None:
    limiter = RateLimiter({"m": MethodLimit(Window(2, 10.0), per_channel=Bucket(per_second=0.5, burst=1))})
    assert limiter.admit("m", "C1", 0.0) is None
    assert limiter.admit("m", "C1", 1.0) == pytest.approx(1.0)  # the bucket refills in 2 s
    assert limiter.admit("m", "C2", 1.0) is None
    assert limiter.admit("m", "C3", 1.0) == pytest.approx(9.0)  # the window is full until 10 s
    assert limiter.admit("unknown.method", None, 1.0) is None
    limiter.forget()
    assert limiter.admit("m", "C1", 1.0) is None


def test_every_method_served_has_a_limit() -> None:
    assert set(METHODS) <= set(LIMITS)
    tiers = {name: limit.tier for name, limit in LIMITS.items()}
    assert (tiers["chat.update"], tiers["conversations.open"], tiers["views.open"]) == (3, 3, 4)
    assert (tiers["views.publish"], tiers["users.info"], tiers["files.info"]) == (4, 4, 4)
    assert tiers["chat.postMessage"] is None and LIMITS["chat.postMessage"].per_channel is not None


def test_rate_limits_can_be_left_off(ws: Workspace, client: WebClient, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono, latency=0.2, rate_limits=False))
    for _ in range(25):
        client.users_list()
    assert ws.api_stats()["users.list"] == MethodStats(25, 0)
    assert mono.slept == [pytest.approx(0.2)] * 25


def test_reset_keeps_realism_and_forgets_the_counts(
    ws: Workspace, client: WebClient, mono: Monotonic
) -> None:
    settings = ws.set_realism(realistic(mono))
    for _ in range(20):
        client.users_list()
    assert refused(client.users_list).response.status_code == 429
    ws.reset()
    assert ws.realism == settings and ws.api_stats() == {}
    for _ in range(20):
        client.users_list()
    assert refused(client.users_list).response.status_code == 429


# time scale ----------------------------------------------------------------------------------------------


def test_time_scale_shrinks_windows_and_retry_after(
    ws: Workspace, client: WebClient, mono: Monotonic
) -> None:
    ws.set_realism(realistic(mono, time_scale=60))  # a Slack minute is a second
    for _ in range(20):
        client.users_list()
    headers = refused(client.users_list).response.headers
    assert (headers["Retry-After"], headers[PRECISE_RETRY_HEADER]) == ("1", "1.000")
    mono.advance(1.0)
    client.users_list()
    for _ in range(3):
        client.chat_postMessage(channel=ANNOUNCE, text="x")
    headers = refused(lambda: client.chat_postMessage(channel=ANNOUNCE, text="x")).response.headers
    assert headers["Retry-After"] == "1"  # whole seconds, at least 1, so slack_sdk can read it
    assert headers[PRECISE_RETRY_HEADER] == "0.017"  # one Slack second, scaled
    mono.advance(1 / 60 + 1e-6)
    assert client.chat_postMessage(channel=ANNOUNCE, text="x")["ok"]


def test_slack_sdk_retries_on_our_retry_after(
    ws: Workspace, mono: Monotonic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """slack_sdk's own handler parses Retry-After with int() and sleeps that long: its sleep moves the fake
    clock here, so the retry arrives after the bucket refilled."""
    monkeypatch.setattr(builtin_handlers, "time", types.SimpleNamespace(sleep=mono.sleep))
    ws.set_realism(realistic(mono))
    client = WebClient(token=TOKEN, base_url=ws.api_url, retry_handlers=[RateLimitErrorRetryHandler(1)])
    for n in range(4):
        client.chat_postMessage(channel=ANNOUNCE, text=f"herinnering {n}")
    assert len(ws.messages(ANNOUNCE)) == 4
    assert ws.api_stats()["chat.postMessage"] == MethodStats(calls=5, ratelimited=1)
    assert len(mono.slept) == 1 and 1.0 <= mono.slept[0] < 2.0


class PreciseRetry(RetryHandler):
    """A retry handler that waits exactly the workspace's decimal wait (what a scaled benchmark wants)."""

    def __init__(self, sleep: Any) -> None:
        super().__init__(max_retry_count=3)
        self.sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        assert response is not None
        headers = {k.lower(): v for k, v in response.headers.items()}
        self.sleep(float(headers[PRECISE_RETRY_HEADER.lower()][0]))
        state.next_attempt_requested = True
        state.increment_current_attempt()


def test_the_decimal_wait_is_enough_to_retry(ws: Workspace, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono, time_scale=60))
    client = WebClient(token=TOKEN, base_url=ws.api_url, retry_handlers=[PreciseRetry(mono.sleep)])
    for n in range(5):
        client.chat_postMessage(channel=ANNOUNCE, text=f"herinnering {n}")
    assert len(ws.messages(ANNOUNCE)) == 5
    assert ws.api_stats()["chat.postMessage"].ratelimited == 2
    assert mono.slept == [pytest.approx(0.017)] * 2


# latency -------------------------------------------------------------------------------------------------


def test_latency_applies_to_every_round_trip(ws: Workspace, client: WebClient, mono: Monotonic) -> None:
    ws.set_realism(realistic(mono, latency=0.3, time_scale=60))
    client.auth_test()
    refused(lambda: client.chat_update(channel=ANNOUNCE, ts="1.0", text="x"))  # an error takes as long
    file_json = ws.store_file(STUDENT, "planning.csv", b"a;b\n", "text/csv")
    download = urllib.request.Request(file_json["url_private"], headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(download, timeout=5) as response:
        assert response.read() == b"a;b\n"
    url = ws.state.issue_response_url(STUDENT, ws.dm_channel(STUDENT), None)
    posted = urllib.request.Request(
        url, data=json.dumps({"text": "ok"}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(posted, timeout=5) as response:
        assert json.loads(response.read()) == {"ok": True}
    assert [c.method for c in ws.calls()] == ["auth.test", "chat.update", "file_download", "response_url"]
    assert mono.slept == [pytest.approx(0.005)] * 4  # 0.3 Slack seconds at a time scale of 60


def test_latency_is_real_time(ws: Workspace, client: WebClient) -> None:
    ws.set_realism(latency=0.2, rate_limits=False)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2


def test_latency_does_not_hold_up_other_calls(clock: Clock) -> None:
    """Four calls wait out their latency together: each sleep waits for the other three to be sleeping
    too, which only works if no lock serialises them (the barrier breaks otherwise)."""
    callers = 4
    barrier = threading.Barrier(callers)

    def sleep_together(seconds: float) -> None:
        barrier.wait(timeout=10)

    ws = Workspace(
        users=[User(id=STUDENT, name="an", real_name="An")],
        channels=[Channel(id=ANNOUNCE, name="stage-aankondigingen")],
        bot_token=TOKEN,
        clock=clock,
        realism=Realism(latency=0.3, sleep=sleep_together),
    )
    results: list[bool] = []
    with serve(ws, threads=callers):
        client = WebClient(token=TOKEN, base_url=ws.api_url, timeout=15)
        threads = [
            threading.Thread(target=lambda: results.append(client.users_info(user=STUDENT)["ok"]))
            for _ in range(callers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)
    assert results == [True] * callers and not barrier.broken
