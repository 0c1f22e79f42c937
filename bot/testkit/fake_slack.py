"""A fake Slack Web API on 127.0.0.1 for tests: real HTTP, a call log, and failures on demand.

``FakeSlack`` serves ``/api/<method>`` (``auth.test``, ``chat.postMessage``,
``chat.update``, ``chat.postEphemeral``, ``chat.getPermalink``,
``apps.connections.open``, ``usergroups.users.list``) and ``/response/<id>`` (``response_url`` posts),
answering with realistic JSON. Every request is recorded as a :class:`Call`
(method, parsed params or JSON, headers, the status sent back). Tests wait for
calls with :meth:`FakeSlack.wait_for` (a condition variable, no sleeps) and
make Slack misbehave with :meth:`FakeSlack.fail` (error bodies, 429 with
``Retry-After``, 500), :meth:`FakeSlack.hold` (a call blocks until released)
and :meth:`FakeSlack.stop` / :meth:`FakeSlack.start` (connection refused, then
back on the same port).
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


class FakeSlack:
    """The fake server. ``start()`` binds port 0 (or the port it had, after ``stop()``)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._condition = threading.Condition()
        self._failures: list[_Failure] = []
        self._holds: dict[str, threading.Event] = {}
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

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                fake._handle(self)

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
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
    ) -> None:
        """Make the next ``times`` calls of ``method`` (matching ``when``) fail.

        ``status=200`` with ``error`` answers ``{"ok": false, "error": ...}``;
        ``status=429`` adds ``Retry-After``; ``status=500`` answers a server error.
        """
        with self._condition:
            self._failures.append(_Failure(method, times, status, error, retry_after, when))

    def hold(self, method: str) -> threading.Event:
        """Make calls of ``method`` wait until the returned event is set (or the fake stops)."""
        gate = threading.Event()
        self._holds[method] = gate
        return gate

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
        if failure is not None:
            call.status = failure.status
            if failure.status == 429:
                extra_headers["Retry-After"] = str(failure.retry_after if failure.retry_after is not None else 1)
                call.response = {"ok": False, "error": "ratelimited"}
            elif failure.status >= 500:
                call.response = {"ok": False, "error": failure.error or "internal_error"}
            else:
                call.response = {"ok": False, "error": failure.error or "fatal_error"}
        else:
            call.response = self._answer(method, params)
        body = json.dumps(call.response).encode("utf-8")
        if method == "response_url" and call.ok:
            body = b"ok"
        with self._condition:  # recorded before answering, so a caller that got its answer finds the call
            self.calls.append(call)
            self._condition.notify_all()
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

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel")
        if method == "auth.test":
            return {"ok": True, "url": "https://faq-test.slack.com/", "team": "Test", "user": "faqbot",
                    "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = self._next_ts()
            return {"ok": True, "channel": channel, "ts": ts,
                    "message": {"type": "message", "text": params.get("text"), "user": BOT_USER_ID,
                                "bot_id": BOT_ID, "ts": ts, "thread_ts": params.get("thread_ts")}}
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
