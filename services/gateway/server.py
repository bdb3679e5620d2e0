"""How the gateway is served: uvicorn, with a lane of its own for POST /graphql.

For each request, uvicorn's HTTP/1.1 protocol builds a request-response cycle with an event, and
the app answers through receive/send messages that uvicorn checks header by header and writes in two
writes (head, then body). The gateway runs that code with cold caches (it sleeps while the subgraph
works), where each line costs several times what it costs warm, and every bit of it lies between the
subgraph's answer and the client's (bench/RESULTS.md).

`GatewayHttpProtocol` is uvicorn's httptools protocol in which a POST to /graphql, for an app that
offers `answer_post` (`Lane`), takes the place of that cycle: a `_LaneRequest` collects the body and
the Authorization header, and the app's answer goes out in one write. uvicorn keeps the lane
request in its `cycle` and `pipeline` like any cycle, so keep-alive, pipelined requests in order,
disconnects and graceful shutdown work the same; every other request is uvicorn's, untouched.
"""

from __future__ import annotations

from typing import Any, Protocol

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

LANE_PATH = b"/graphql"
_JSON = b"application/json"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class Lane(Protocol):
    """What an app offers to be served on the lane (policy/app.py's PlatformApp)."""

    max_body_bytes: int

    async def answer_post(self, body: bytes | None, authorization: str | None) -> Any:
        """The answer (`.status`, `.body`: JSON bytes) to a POST /graphql; body None: over the cap."""


class _NoEvent:
    def set(self) -> None:  # uvicorn wakes a cycle's reader on disconnect; a lane request has none
        pass


class _LaneRequest:
    """A POST /graphql where uvicorn keeps a request-response cycle (the attributes it reads)."""

    __slots__ = ("authorization", "parts", "size", "keep_alive", "expect_continue", "http_version",
                 "complete", "turn", "response_complete", "disconnected", "message_event")

    def __init__(self, authorization: str | None, over_cap: bool, keep_alive: bool, expect_continue: bool,
                 http_version: str) -> None:
        self.authorization = authorization
        self.parts: list[bytes] | None = None if over_cap else []  # None once over the cap
        self.size = 0
        self.keep_alive = keep_alive
        self.expect_continue = expect_continue
        self.http_version = http_version
        self.complete = False  # the whole body is in
        self.turn = False  # no earlier request on the connection is still unanswered
        self.response_complete = False
        self.disconnected = False
        self.message_event = _NoEvent()

    def add(self, part: bytes, cap: int) -> None:
        if self.parts is not None:
            self.size += len(part)
            if self.size > cap:
                self.parts = None
            else:
                self.parts.append(part)

    def body(self) -> bytes | None:
        return None if self.parts is None else b"".join(self.parts)


class GatewayHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the lane for POST /graphql (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The app as given, not as uvicorn may wrap it (e.g. for proxy headers, which the lane never reads).
        app = self.config.app
        self.lane: Lane | None = app if hasattr(app, "answer_post") else None

    def on_headers_complete(self) -> None:
        parser = self.parser
        if (self.lane is None or self.url != LANE_PATH or parser.get_method() != b"POST"
                or parser.should_upgrade() or self.limit_concurrency is not None):
            super().on_headers_complete()
            return
        authorization, declared = None, 0
        for name, value in self.headers:  # names are lower-case (uvicorn's on_header)
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"content-length" and value.isdigit():
                declared = int(value)
        version = parser.get_http_version()
        request = _LaneRequest(authorization, declared > self.lane.max_body_bytes,
                               version != "1.0" and parser.should_keep_alive(), self.expect_100_continue, version)
        existing, self.cycle = self.cycle, request
        if existing is None or existing.response_complete:
            self._start_asgi_task(request, self.app)
        else:  # pipelined: uvicorn starts it when the one before is answered
            self.flow.pause_reading()
            self.pipeline.appendleft((request, self.app))

    def on_body(self, body: bytes) -> None:
        if isinstance(self.cycle, _LaneRequest):
            self.cycle.add(body, self.lane.max_body_bytes)
        else:
            super().on_body(body)

    def on_message_complete(self) -> None:
        request = self.cycle
        if not isinstance(request, _LaneRequest):
            super().on_message_complete()
            return
        request.complete = True
        if request.turn:
            self._answer_soon(request)

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        # Every request starts here when its turn comes; a lane request is answered once its body is in.
        if not isinstance(cycle, _LaneRequest):
            super()._start_asgi_task(cycle, app)
            return
        cycle.turn = True
        if cycle.complete:
            self._answer_soon(cycle)
        elif cycle.expect_continue and cycle.parts is not None:
            self.transport.write(_CONTINUE)

    def _answer_soon(self, request: _LaneRequest) -> None:
        task = self.loop.create_task(self._answer(request))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)

    async def _answer(self, request: _LaneRequest) -> None:
        try:
            response = await self.lane.answer_post(request.body(), request.authorization)
            status, content_type, content = response.status, _JSON, response.body
        except Exception as error:  # as uvicorn does for an app that raises
            self.logger.error("Exception in ASGI application\n", exc_info=error)
            status, content_type, content = 500, b"text/plain; charset=utf-8", b"Internal Server Error"
            request.keep_alive = False
        if self.flow.write_paused and not self.transport.is_closing():
            await self.flow.drain()
        if self.transport.is_closing():  # the client left
            return
        head = [STATUS_LINE[status]]
        head += [b"%s: %s\r\n" % pair for pair in self.server_state.default_headers]  # server, date
        head.append(b"content-type: %s\r\ncontent-length: %d\r\n" % (content_type, len(content)))
        if not request.keep_alive:
            head.append(b"connection: close\r\n")
        head += (b"\r\n", content)
        request.response_complete = True
        self.transport.write(b"".join(head))
        if self.access_log:
            self.access_logger.info('%s - "POST /graphql HTTP/%s" %d',
                                    "%s:%d" % self.client if self.client else "-", request.http_version, status)
        if not request.keep_alive:
            self.transport.close()
        self.on_response_complete()  # the keep-alive timer, or the next pipelined request


def serve(app: Any, *, host: str, port: int, access_log: bool) -> None:
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log, proxy_headers=False,
                http=GatewayHttpProtocol)
