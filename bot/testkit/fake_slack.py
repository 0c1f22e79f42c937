"""A fake Slack Web API on 127.0.0.1 for tests: real HTTP, a call log, and failures on demand.

``FakeSlack`` serves ``/api/<method>`` (``auth.test``, ``chat.postMessage``,
``chat.update``, ``chat.postEphemeral``, ``chat.getPermalink``,
``conversations.history``, ``conversations.replies``, ``apps.connections.open``,
``usergroups.users.list``) and ``/response/<id>`` (``response_url`` posts),
answering with realistic JSON. Every request is recorded as a :class:`Call`
(method, parsed params or JSON, headers, the status sent back). Tests wait for
calls with :meth:`FakeSlack.wait_for` (a condition variable, no sleeps) and
make Slack misbehave with :meth:`FakeSlack.fail` (error bodies, 429 with
``Retry-After``, 500), :meth:`FakeSlack.hold` (a call blocks until released)
:meth:`FakeSlack.drop` (the work is done, then the connection drops without an
answer) and :meth:`FakeSlack.stop` / :meth:`FakeSlack.start` (connection
refused, then back on the same port).

Posted messages are kept (:attr:`FakeSlack.messages`, :meth:`FakeSlack.posted`)
with their ``metadata``, which the history methods return when asked with
``include_all_metadata``. :meth:`FakeSlack.slow` makes a call answer late (longer
than the client waits, while the post still happens) and ``fail(...,
after_success=True)`` makes it fail after doing its work: the two ways a post
arrives although the caller saw an error.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

BOT_USER_ID = "UFAQBOT"
BOT_ID = "BFAQBOT"
TEAM_ID = "T0TEAM"
HANG_UP = 0  # a call's status when the fake hung up instead of answering (see FakeSlack.drop)


@dataclass
class Call:
    """One request the fake received."""

    method: str  # the Web API method, or "response_url"
    params: dict[str, Any]  # form fields, query parameters or the JSON body, merged
    headers: dict[str, str]
    path: str
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the fake answered this call successfully."""
        return self.status == 200 and self.response.get("ok", True) is not False

    def text_everywhere(self) -> str:
        """All text this call would show (fallback text and blocks), as one JSON string."""
        return json.dumps({k: self.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


@dataclass
class _Failure:
    method: str
    times: int
    status: int
    error: str | None
    retry_after: int | None
    when: Callable[[dict[str, Any]], bool] | None
    after_success: bool = False


@dataclass
class _Delay:
    method: str
    seconds: float
    times: int


class FakeSlack:
    """The fake server. ``start()`` binds port 0 (or the port it had, after ``stop()``)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._condition = threading.Condition()
        self._failures: list[_Failure] = []
        self._holds: dict[str, threading.Event] = {}
        self._delays: list[_Delay] = []
        self.messages: list[dict[str, Any]] = []  # every message posted, oldest first
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.usergroups: dict[str, list[str]] = {}  # usergroups.users.list: group id -> member ids
        self.socket_url: str | None = None  # apps.connections.open's answer (see serve_sockets_at)

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Listen on 127.0.0.1 (the previous port after a ``stop()``, else a free one)."""
        fake = self

        class WebApiRequest(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                fake._handle(self)

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), WebApiRequest)
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: clients now get "connection refused" on this port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for gate in self._holds.values():
            gate.set()

    @property
    def base_url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "1") -> str:
        """A ``response_url`` that this fake records."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # --- behaviour ------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        when: Callable[[dict[str, Any]], bool] | None = None,
        after_success: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (matching ``when``) fail.

        ``status=200`` with ``error`` answers ``{"ok": false, "error": ...}``;
        ``status=429`` adds ``Retry-After``; ``status=500`` answers a server error.
        ``after_success``: the call does its work (the message is posted) and then fails.
        """
        with self._condition:
            self._failures.append(_Failure(method, times, status, error, retry_after, when, after_success))

    def drop(self, method: str, *, times: int = 1, when: Callable[[dict[str, Any]], bool] | None = None) -> None:
        """Make the next ``times`` calls of ``method`` do their work, then hang up without an answer (a dropped connection)."""
        with self._condition:
            self._failures.append(_Failure(method, times, HANG_UP, None, None, when, after_success=True))

    def slow(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` do their work at once but answer ``seconds`` later."""
        with self._condition:
            self._delays.append(_Delay(method, seconds, times))

    def posted(self, channel: str | None = None, predicate: Callable[[dict[str, Any]], bool] | None = None
               ) -> list[dict[str, Any]]:
        """The messages posted (in ``channel``, matching ``predicate``): what people would see, oldest first."""
        with self._condition:
            found = [m for m in self.messages if channel is None or m["channel"] == channel]
        return [m for m in found if predicate is None or predicate(m)]

    def hold(self, method: str) -> threading.Event:
        """Make calls of ``method`` wait until the returned event is set (or the fake stops)."""
        gate = threading.Event()
        self._holds[method] = gate
        return gate

    def reset_behaviour(self) -> None:
        """Forget pending failures and delays (Slack is well again); keep the calls and messages."""
        with self._condition:
            self._failures.clear()
            self._delays.clear()
    def set_usergroup(self, group: str, users: list[str]) -> None:
        """What ``usergroups.users.list`` answers for ``group`` from now on (an unknown group: ``no_such_subteam``)."""
        with self._condition:
            self.usergroups[group] = list(users)

    def serve_sockets_at(self, url: str) -> None:
        """Answer ``apps.connections.open`` with ``url`` (a test WebSocket server's ``ws://127.0.0.1:PORT/...``)."""
        self.socket_url = url

    def reset(self) -> None:
        """Forget recorded calls and pending failures."""
        with self._condition:
            self.calls.clear()
            self._failures.clear()
            self._delays.clear()

    # --- inspection -----------------------------------------------------------------------------

    def calls_to(
        self, method: str, predicate: Callable[[Call], bool] | None = None, *, ok_only: bool = False
    ) -> list[Call]:
        """The recorded calls of ``method`` (matching ``predicate``), in arrival order."""
        with self._condition:
            found = [c for c in self.calls if c.method == method]
        if ok_only:
            found = [c for c in found if c.ok]
        return [c for c in found if predicate is None or predicate(c)]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 10.0,
        ok_only: bool = True,
    ) -> list[Call]:
        """Block until ``count`` calls of ``method`` (successful ones by default) arrived; return them.

        Raises ``AssertionError`` with what did arrive if the timeout passes first.
        """

        def matching() -> list[Call]:
            return [
                c for c in self.calls
                if c.method == method and (c.ok or not ok_only) and (predicate is None or predicate(c))
            ]

        with self._condition:
            if not self._condition.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                seen = [(c.method, c.status, c.response.get("error")) for c in self.calls]
                raise AssertionError(f"expected {count} {method} call(s) within {timeout}s; got {seen}")
            return matching()

    # --- the HTTP side --------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        params: dict[str, Any] = dict(parse_qsl(url.query))
        content_type = request.headers.get("Content-Type", "")
        if raw and "json" in content_type:
            try:
                params.update(json.loads(raw))
            except ValueError:
                params["_raw"] = raw.decode("utf-8", "replace")
        elif raw:
            params.update(parse_qsl(raw.decode("utf-8")))
        for name in ("blocks", "attachments"):  # form-encoded clients send these as JSON strings
            if isinstance(params.get(name), str):
                try:
                    params[name] = json.loads(params[name])
                except ValueError:
                    pass
        if url.path.startswith("/api/"):
            method = url.path[len("/api/"):]
        elif url.path.startswith("/response/"):
            method = "response_url"
        else:
            method = url.path
        gate = self._holds.get(method)
        if gate is not None:
            gate.wait(timeout=30)
        call = Call(method=method, params=params, headers={k.lower(): v for k, v in request.headers.items()},
                    path=url.path)
        failure = self._take_failure(method, params)
        extra_headers: dict[str, str] = {}
        if failure is None or failure.after_success:
            call.response = self._answer(method, params)
        if failure is not None:
            call.status = failure.status
            if failure.status == HANG_UP:
                call.response = {"ok": False, "error": "connection dropped"}
            elif failure.status == 429:
                extra_headers["Retry-After"] = str(failure.retry_after if failure.retry_after is not None else 1)
                call.response = {"ok": False, "error": "ratelimited"}
            elif failure.status >= 500:
                call.response = {"ok": False, "error": failure.error or "internal_error"}
            else:
                call.response = {"ok": False, "error": failure.error or "fatal_error"}
        delay = self._take_delay(method)
        if delay:
            threading.Event().wait(delay)
        body = json.dumps(call.response).encode("utf-8")
        if method == "response_url" and call.ok:
            body = b"ok"
        with self._condition:  # recorded before answering, so a caller that got its answer finds the call
            self.calls.append(call)
            self._condition.notify_all()
        if call.status == HANG_UP:
            request.close_connection = True  # no status line at all: the caller sees the connection drop
            return
        try:
            self._send(request, call, body, extra_headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the caller hung up (timed out, or was killed): the call still happened

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, call: Call, body: bytes, extra_headers: dict[str, str]) -> None:
        request.send_response(call.status)
        request.send_header("Content-Type", "text/plain" if body == b"ok" else "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        for name, value in extra_headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        with self._condition:
            for failure in self._failures:
                if failure.method == method and failure.times > 0 and (failure.when is None or failure.when(params)):
                    failure.times -= 1
                    if failure.times == 0:
                        self._failures.remove(failure)
                    return failure
        return None

    def _take_delay(self, method: str) -> float:
        with self._condition:
            for delay in self._delays:
                if delay.method == method and delay.times > 0:
                    delay.times -= 1
                    if delay.times == 0:
                        self._delays.remove(delay)
                    return delay.seconds
        return 0.0

    def _history(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """``conversations.history`` (top-level messages) or ``.replies`` (a thread), newest first."""
        channel, thread = params.get("channel"), params.get("ts")
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._condition:
            if method == "conversations.replies":
                found = [m for m in self.messages if m["channel"] == channel and thread in (m["ts"], m.get("thread_ts"))]
            else:
                found = [m for m in self.messages if m["channel"] == channel and m.get("thread_ts") in (None, m["ts"])]
        limit = int(params.get("limit") or 100)
        found = sorted(found, key=lambda m: m["ts"], reverse=method != "conversations.replies")[:limit]
        messages = [{k: v for k, v in m.items() if k != "metadata" or with_metadata} for m in found]
        return {"ok": True, "messages": messages, "has_more": False}

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if method == "auth.test":
            return {"ok": True, "url": "https://faq-test.slack.com/", "team": "Test", "user": "faqbot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {"type": "message", "channel": channel, "text": params.get("text"), "user": BOT_USER_ID,
                       "bot_id": BOT_ID, "ts": ts, "thread_ts": params.get("thread_ts")}
            metadata = params.get("metadata")
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = None
            if metadata:
                message["metadata"] = metadata
            with self._condition:
                self.messages.append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, params)
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": params.get("ts"), "text": params.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.getPermalink":
            ts = str(params.get("message_ts", "")).replace(".", "")
            return {"ok": True, "channel": channel,
                    "permalink": f"https://faq-test.slack.com/archives/{channel}/p{ts}"}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url or f"ws://127.0.0.1:{self.port}/socket"}
        if method == "usergroups.users.list":
            group = params.get("usergroup")
            with self._condition:
                members = self.usergroups.get(group) if isinstance(group, str) else None
            return {"ok": True, "users": list(members)} if members is not None else {"ok": False, "error": "no_such_subteam"}
        if method == "response_url":
            return {"ok": True}
        return {"ok": False, "error": "unknown_method"}
