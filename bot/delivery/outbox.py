"""The outbox's two ends: a Slack client whose sends become outbox rows, and the worker that delivers them.

Listeners, jobs and the scheduler are handed a `DeferredClient`: reads and modal calls (views.open needs
its trigger inside 3 s) go to Slack at once, but every message, update, ephemeral, file and Home tab is
written as a row in the caller's transaction and the call answers at once. The `OutboxWorker` (one per
process, several processes at once) claims due rows, paces itself per method, retries what Slack refused
for a while, and marks each row sent once Slack accepted it.
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import socket
import threading
import time
import urllib.error
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from slack_bolt.context.respond import Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient
from sqlmodel import Session

from bot.background import Background
from bot.delivery import mail
from bot.delivery.slack_client import retry_after, slack_client
from bot.delivery.slack_limits import Pacer
from bot.settings import Settings
from models import outbox
from models.db import Database
from models.outbox import OutboxMessage, OutboxState


class Host(Protocol):
    """What the outbox needs of the bot's services (bot.services.Host, which owns the worker)."""

    settings: Settings
    db: Database
    background: Background
    outbox: OutboxWorker


logger = logging.getLogger(__name__)

DEFERRED = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "chat.delete", "views.publish"}
)
PLACEHOLDER = "outbox:"  # a ts (or channel) that is the key of a row not sent yet
CLAIM = timedelta(seconds=60)
BATCH = 50
THREADS = 8  # senders: at 300 ms a call, 8 keep chat.postMessage's 300 a minute busy with room to spare
IN_FLIGHT_PER_THREAD = 4  # rows a sender has claimed ahead (a claim lasts CLAIM: far longer than that)
SHORT_WAIT = 2.0  # seconds a sender waits in place rather than giving its row back
# Errors that will not go away by trying again: the row fails for good and is shown in `stagebot outbox`.
TRANSIENT = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)


def wall_now() -> datetime:
    """The outbox runs on real time (Slack's), not on the bot's domain clock that tests freeze."""
    return datetime.now(UTC)


class DeferredClient(WebClient):
    """A WebClient whose sends are outbox rows. Bound to a session (`bind`), rows join that transaction;
    unbound, each row is committed on its own. Keys are `prefix:n`, so the same request or job replayed
    writes the same keys and sends nothing twice."""

    def __init__(self, services: Host, *, key_prefix: str | None = None) -> None:
        real = slack_client(services.settings)
        super().__init__(
            token=real.token, base_url=real.base_url, timeout=real.timeout, retry_handlers=real.retry_handlers
        )
        self.services = services
        self.key_prefix = key_prefix or f"x:{uuid.uuid4().hex}"
        self.session: Session | None = None
        self.dm_lanes: dict[str, str] = {}  # a DM channel id -> its person: one lane per conversation
        self._count = 0
        self._lock = threading.Lock()

    @contextmanager
    def bind(self, session: Session) -> Iterator[None]:
        self.session = session
        try:
            yield
        finally:
            self.session = None

    def enqueue(self, method: str, payload: dict[str, Any], lane: str, key: str | None = None) -> str:
        with self._lock:
            self._count += 1
            key = key or f"{self.key_prefix}:{self._count}"
        now = wall_now()
        if self.session is not None:
            outbox.enqueue(self.session, key, self._lane(self.session, lane), method, payload, now)
        else:
            with self.services.db.session() as session:
                outbox.enqueue(session, key, self._lane(session, lane), method, payload, now)
            self.services.outbox.kick()
        return key

    def _lane(self, session: Session, lane: str) -> str:
        """A DM is one lane whether it is named by the person's id or by the DM channel's."""
        if not lane.startswith("D"):
            return lane
        return self.dm_lanes.get(lane) or outbox.dm_owner(session, lane) or lane

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> SlackResponse:
        args = dict(json or data or params or {})
        if api_method == "conversations.open" and "," not in str(args.get("users", ",")):
            # Messages go to the user id; no Tier 3 call per message.
            return self._answer(api_method, {"channel": {"id": str(args["users"])}})
        if api_method in DEFERRED:
            lane = str(args.get("channel") or args.get("user_id") or "-")
            key = self.enqueue(api_method, args, lane)
            return self._answer(api_method, {"channel": lane, "ts": PLACEHOLDER + key, "deferred": True})
        return super().api_call(
            api_method,
            http_verb=http_verb,
            files=files,
            data=data,
            params=params,
            json=json,
            headers=headers,
            auth=auth,
        )

    def files_upload_v2(
        self,
        *,
        channel: str | None = None,
        filename: str | None = None,
        content: str | bytes | None = None,
        title: str | None = None,
        initial_comment: str | None = None,
        **_: Any,
    ) -> SlackResponse:
        raw = content.encode() if isinstance(content, str) else (content or b"")
        payload = {
            "channel": channel,
            "filename": filename,
            "title": title,
            "initial_comment": initial_comment,
            "content_b64": base64.b64encode(raw).decode(),
        }
        self.enqueue("files.upload", payload, str(channel or "-"))
        return self._answer("files.upload", {"deferred": True})

    def _answer(self, method: str, data: dict[str, Any]) -> SlackResponse:
        return SlackResponse(
            client=self,
            http_verb="POST",
            api_url=method,
            req_args={},
            data={"ok": True, **data},
            headers={},
            status_code=200,
        )


def bound(client: WebClient, session: Session) -> AbstractContextManager[None]:
    """The sends of `client` join the session's transaction (when it is the outbox's client)."""
    return client.bind(session) if isinstance(client, DeferredClient) else nullcontext()


class DeferredRespond(Respond):
    """`respond()` as an outbox row: the answer to a click is posted to its response_url after the ack."""

    def __init__(self, client: DeferredClient, response_url: str | None, lane: str | None) -> None:
        super().__init__(response_url=response_url)
        self.client, self.lane = client, lane

    def __call__(  # type: ignore[override]  # returns the row's key, not Slack's answer
        self, text: str | dict[str, Any] = "", blocks: Any = None, **kwargs: Any
    ) -> Any:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        if isinstance(text, dict):
            message = _build_message(**text)
        else:
            message = _build_message(text=text, blocks=blocks, **kwargs)
        payload = {"url": self.response_url, "message": message}
        return self.client.enqueue("response_url", payload, self.lane or self.response_url)


class Retry(Exception):
    """Not now: try this row again at `after` (seconds), counting an attempt only when `counts`."""

    def __init__(self, after: float, error: str, *, counts: bool) -> None:
        super().__init__(error)
        self.after, self.error, self.counts = after, error, counts


class Refused(Exception):
    """Slack refused the row for good (an error that trying again will not change)."""


Mark = tuple[int, dict[str, Any], tuple[str, str] | None]  # row id, Slack's result, a DM channel learnt


class MarkWriter:
    """Marks rows sent on its own thread, many to a commit: a sender hands its mark in and goes on with
    the next row, so sending is never held up by the database (SQLite has one writer, and a commit
    costs a disk flush). `done(n)` is called once n marks are committed."""

    def __init__(self, write: Callable[[list[Mark]], None], done: Callable[[int], None]) -> None:
        self.write, self.done = write, done
        self._cond = threading.Condition()
        self._queue: list[Mark] = []
        self._stop = False
        self._thread: threading.Thread | None = None

    def put(self, mark: Mark) -> None:
        with self._cond:
            self._queue.append(mark)
            if self._thread is None:
                self._stop = False
                self._thread = threading.Thread(target=self._run, name="stagebot-marks", daemon=True)
                self._thread.start()
            self._cond.notify()

    def stop(self) -> None:
        """Write what is waiting, then end the thread."""
        with self._cond:
            thread, self._stop = self._thread, True
            self._cond.notify()
        if thread is not None:
            thread.join(timeout=15)
        with self._cond:
            self._thread = None

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._stop, timeout=1.0)
                if not self._queue:
                    if self._stop:
                        return
                    continue
                batch, self._queue = self._queue, []
            self._write(batch)
            self.done(len(batch))

    def _write(self, batch: list[Mark]) -> None:
        """Keep trying while the claims last: a row left unmarked would be sent again once its claim ran
        out, so a busy database is waited for rather than given up on."""
        give_up = time.monotonic() + CLAIM.total_seconds() / 2
        while True:
            try:
                return self.write(batch)
            except Exception:
                if time.monotonic() > give_up:
                    logger.exception("outbox: %d rows sent but not marked sent", len(batch))
                    return
                logger.warning("outbox: marking %d rows sent failed; trying again", len(batch), exc_info=True)
                time.sleep(0.5)


class OutboxWorker:
    """Delivers the outbox: a dispatcher thread claims due rows and hands each lane to a small pool, so a
    conversation's messages keep their order while many conversations go out side by side."""

    def __init__(self, services: Host, *, threads: int = THREADS, poll: float = 2.0) -> None:
        self.services = services
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.threads, self.poll = threads, poll
        self.window = threads * IN_FLIGHT_PER_THREAD  # rows claimed and not yet done, at most
        self._in_flight = 0
        self._marks = MarkWriter(self._write_marks, self._marked)
        self.pacer = Pacer(limits={mail.METHOD: services.settings.mail_per_minute})
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._client: WebClient | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._rounds = 0  # delivery rounds running now, in any thread
        self._periodic: list[list[Any]] = []  # [interval, task, next run (monotonic)]

    # -- the face the rest of the bot uses -------------------------------------------------------------
    def client(self, key_prefix: str | None = None) -> DeferredClient:
        return DeferredClient(self.services, key_prefix=key_prefix)

    def kick(self) -> None:
        """Something was committed: deliver now rather than at the next poll."""
        self._wake.set()

    def every(self, seconds: float, task: Callable[[], object]) -> None:
        """Housekeeping the worker's thread runs between deliveries (e.g. resuming interrupted jobs)."""
        self._periodic.append([seconds, task, time.monotonic() + seconds])

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="stagebot-outbox", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._marks.stop()

    def settle(self, timeout: float = 15.0) -> None:
        """Deliver everything due now, waiting for the background pool too (tests, shutdown, the CLI)."""
        deadline = time.monotonic() + timeout
        while True:
            self.services.background.drain(timeout=max(0.1, deadline - time.monotonic()))
            handled = self.deliver_due()
            with self._idle:
                # Rows the worker thread claimed are being sent right now: wait for them as well.
                self._idle.wait_for(self._quiet, timeout=max(0.1, deadline - time.monotonic()))
                busy = not self._quiet()
            quiet = handled == 0 and not busy and not self.services.background.busy()
            if quiet and self.deliver_due() == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("the outbox did not settle in time")

    def _quiet(self) -> bool:
        return self._rounds == 0 and self._in_flight == 0

    # -- delivery --------------------------------------------------------------------------------------
    def deliver_due(self, now: datetime | None = None) -> int:
        """Claim and deliver one batch of due rows; returns how many rows were handled."""
        with self._idle:
            self._rounds += 1
        try:
            return self._deliver_round(now or wall_now())
        finally:
            with self._idle:
                self._rounds -= 1
                self._idle.notify_all()

    def _deliver_round(self, now: datetime) -> int:
        rows = self._claim(now, BATCH)
        futures = self._submit(rows, wait=True)
        for future in futures:
            future.result()
        if rows:  # the marks are written on their own thread: a caller that waited sees its rows sent
            with self._idle:
                self._idle.wait_for(lambda: self._in_flight == 0, timeout=CLAIM.total_seconds() / 2)
        return len(rows)

    def _claim(self, now: datetime, limit: int) -> list[OutboxMessage]:
        with self.services.db.session() as session:
            return outbox.claim(session, self.holder, now, CLAIM, limit)

    def _submit(self, rows: list[OutboxMessage], *, wait: bool) -> list[Future[None]]:
        """Hand each lane's rows to the pool (in place when there is one lane and the caller waits)."""
        lanes: dict[str, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            lanes[row.lane].append(row)
        with self._idle:
            self._in_flight += len(rows)
        if wait and (len(lanes) == 1 or self.threads == 1):
            for lane_rows in lanes.values():
                self._deliver_counted(lane_rows)
            return []
        pool = self._executor()
        return [pool.submit(self._deliver_counted, lane_rows) for lane_rows in lanes.values()]

    def _deliver_counted(self, rows: list[OutboxMessage]) -> None:
        """Rows handed to the mark writer stay in flight until their mark is committed."""
        sent = [0]
        try:
            self._deliver_lane(rows, sent)
        finally:
            self._marked(len(rows) - sent[0])

    def _marked(self, rows: int) -> None:
        with self._idle:
            self._in_flight -= rows
            self._idle.notify_all()
        self._wake.set()  # the lanes' next rows may be claimed now

    def _feed(self) -> int:
        """The worker thread's round: claim as many rows as the pool has room for and return at once, so
        the senders never wait for the slowest lane of a batch before the next rows are claimed."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight < self.window, timeout=self.poll)
            room = self.window - self._in_flight
        if room <= 0 or self._stop.is_set():
            return 0
        with self._idle:
            self._rounds += 1  # settle() waits for a claim on its way to the pool as well
        try:
            rows = self._claim(wall_now(), min(BATCH, room))
            self._submit(rows, wait=False)
        finally:
            with self._idle:
                self._rounds -= 1
                self._idle.notify_all()
        return len(rows)

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="stagebot-send")
            return self._pool

    def _real(self) -> WebClient:
        if self._client is None or self._client.token != self.services.settings.slack_bot_token:
            self._client = slack_client(self.services.settings, retries=False)
        return self._client

    def _deliver_lane(self, rows: list[OutboxMessage], sent: list[int]) -> None:
        """In order; once a row must wait, the rest of its lane waits too (their claims are given back).
        `sent[0]` counts the rows sent (their marks are with the mark writer)."""
        waiting = False
        for row in rows:
            assert row.id is not None
            with self.services.db.session() as session:
                if waiting:
                    outbox.release(session, row.id, self.holder, wall_now(), None)
                    continue
                try:
                    result = self._send_waiting(session, row)
                except Retry as retry:
                    waiting = True
                    later = wall_now() + timedelta(seconds=retry.after)
                    if retry.counts:
                        outbox.retry_or_fail(
                            session, row.id, self.holder, retry.error, wall_now(), final=False
                        )
                    else:
                        outbox.release(session, row.id, self.holder, later, retry.error)
                    continue
                except Refused as refused:
                    logger.warning("outbox %s (%s) refused for good: %s", row.id, row.method, refused)
                    outbox.retry_or_fail(session, row.id, self.holder, str(refused), wall_now(), final=True)
                    continue
                except Exception as error:  # a bug or an unexpected answer: keep the row, try later
                    logger.exception("outbox %s (%s) failed", row.id, row.method)
                    waiting = True
                    failed = outbox.retry_or_fail(
                        session, row.id, self.holder, type(error).__name__, wall_now(), final=False
                    )
                    if failed:
                        logger.error("outbox %s given up after %d attempts", row.id, outbox.MAX_ATTEMPTS)
                    continue
            self._marks.put((row.id, result, self._learnt(row, result)))
            sent[0] += 1

    def _write_marks(self, marks: list[Mark]) -> None:
        with self.services.db.session() as session:
            sent = [(row_id, result) for row_id, result, _ in marks]
            outbox.mark_many_sent(session, self.holder, sent, [dm for *_, dm in marks if dm], wall_now())

    @staticmethod
    def _learnt(row: OutboxMessage, result: dict[str, Any]) -> tuple[str, str] | None:
        """The (user, DM channel) a post to a user id taught: stored with the row's state, one commit."""
        target = str(row.payload.get("channel") or "")
        channel = result.get("channel")
        if row.method != "chat.postMessage" or not target.startswith("U") or not channel:
            return None
        return target, str(channel)

    def _send_waiting(self, session: Session, row: OutboxMessage) -> dict[str, Any]:
        """Send, sitting out short waits (pacing, a brief rate limit) on this thread: the claim lasts a
        minute, and giving the row back for a fraction of a second would only churn the database."""
        give_up = time.monotonic() + CLAIM.total_seconds() / 4
        while True:
            try:
                return self._send(session, row)
            except Retry as retry:
                if (
                    retry.counts
                    or retry.after > SHORT_WAIT
                    or self._stop.is_set()
                    or time.monotonic() > give_up
                ):
                    raise
                self._stop.wait(retry.after)

    def _send(self, session: Session, row: OutboxMessage) -> dict[str, Any]:
        payload = self._resolve(session, dict(row.payload))
        method = row.method
        wait = self.pacer.wait_for(method, row.lane)
        if wait > 0:
            raise Retry(wait, "paced", counts=False)
        try:
            if method == "response_url":
                return self._respond(payload)
            if method == mail.METHOD:
                return self._mail(row.key, payload)
            client = self._real()
            if method == "files.upload":
                channel = self._dm(session, client, str(payload["channel"]))
                client.files_upload_v2(
                    channel=channel,
                    filename=payload.get("filename"),
                    title=payload.get("title"),
                    initial_comment=payload.get("initial_comment"),
                    content=base64.b64decode(payload["content_b64"]),
                )
                return {"channel": channel}
            if method in ("chat.update", "chat.delete"):
                payload["channel"] = self._dm(session, client, str(payload["channel"]))
            answer = client.api_call(method, json=payload)
        except SlackApiError as error:
            raise self._classify(method, error) from error
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise Retry(2.0, f"connection: {type(error).__name__}", counts=True) from error
        return {"channel": answer.get("channel"), "ts": answer.get("ts")}

    def _classify(self, method: str, error: SlackApiError) -> Exception:
        status = error.response.status_code
        code = str(error.response.get("error") or status)
        if status == 429 or code == "ratelimited":
            after = retry_after(error.response.headers)
            self.pacer.pause(method, after)
            return Retry(after, "ratelimited", counts=False)
        if status >= 500 or code in TRANSIENT:
            return Retry(2.0, code, counts=True)
        return Refused(code)

    def _mail(self, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        """SMTP: a 4xx reply or a lost connection is tried again with back-off; a 5xx reply is for good."""
        settings = self.services.settings
        if not settings.smtp_url or not settings.mail_from:
            raise Retry(60.0, "no SMTP server configured", counts=True)
        try:
            return mail.send(settings.smtp_url, settings.mail_from, payload, key, wall_now())
        except smtplib.SMTPException as error:
            code = mail.smtp_code(error)
            if code is not None and code >= 500:
                raise Refused(f"smtp {code}: {_smtp_text(error)}") from error
            reason = f"smtp {code or type(error).__name__}: {_smtp_text(error)}"
            raise Retry(2.0, reason, counts=True) from error
        except OSError as error:  # refused, reset, timed out, TLS
            raise Retry(2.0, f"smtp connection: {type(error).__name__}", counts=True) from error

    def _respond(self, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = WebhookClient(url=str(payload["url"]), timeout=10).send_dict(payload["message"])
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            raise Retry(2.0, f"connection: {type(error).__name__}", counts=True) from error
        if answer.status_code == 429:
            raise Retry(retry_after(answer.headers), "ratelimited", counts=False)
        if answer.status_code >= 500:
            raise Retry(2.0, f"http {answer.status_code}", counts=True)
        if answer.status_code >= 400:
            raise Refused(f"http {answer.status_code}: {answer.body[:80]}")
        return {"status": answer.status_code}

    def _resolve(self, session: Session, payload: dict[str, Any]) -> dict[str, Any]:
        """A ts that is a row's key becomes that row's ts (and channel) once it is sent; until then, wait."""
        ts = payload.get("ts")
        if isinstance(ts, str) and ts.startswith(PLACEHOLDER):
            found = outbox.result_of(session, ts[len(PLACEHOLDER) :])
            if found is None or found[0] == OutboxState.FAILED.value:
                raise Refused("the message to change was never sent")
            state, result = found
            if state != OutboxState.SENT.value or not result:
                raise Retry(0.2, "waiting for the message it changes", counts=False)
            payload["ts"], payload["channel"] = result["ts"], result["channel"]
        return payload

    def _dm(self, session: Session, client: WebClient, channel: str) -> str:
        """Updates and files need the DM's own channel id: learnt from a post, else asked once."""
        if not channel.startswith("U"):
            return channel
        known = outbox.dm_channel(session, channel)
        if known:
            return known
        opened = str(client.conversations_open(users=channel)["channel"]["id"])
        outbox.remember_dm_channel(session, channel, opened)
        return opened

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self._feed()
            except Exception:
                logger.exception("outbox delivery round failed")
                handled = 0
            self._housekeeping()
            if handled:
                continue
            self._wake.wait(self._idle_wait())
            self._wake.clear()

    def housekeep(self) -> None:
        """Run the housekeeping tasks now (tests; the worker's thread runs them on their interval)."""
        self._housekeeping(force=True)

    def _housekeeping(self, *, force: bool = False) -> None:
        now = time.monotonic()
        for entry in self._periodic:
            interval, task, due = entry
            if force or now >= due:
                entry[2] = now + interval
                try:
                    task()
                except Exception:
                    logger.exception("housekeeping task %s failed", getattr(task, "__name__", task))

    def _idle_wait(self) -> float:
        try:
            with self.services.db.session() as session:
                soonest = outbox.due_soonest(session, wall_now())
        except Exception:
            return self.poll
        if soonest is None:
            return self.poll
        return max(0.05, min(self.poll, (soonest - wall_now()).total_seconds()))


def _smtp_text(error: smtplib.SMTPException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        raw = next(iter(error.recipients.values()))[1]
    else:
        raw = getattr(error, "smtp_error", b"") or str(error).encode()
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:120]
