"""A small TCP fault proxy: put it between a service and its broker, database or subgraph, then change its
mode while traffic flows.

pass       forward bytes both ways
latency    forward, delaying every chunk by `delay` seconds
reset      abort every open connection (RST) and refuse new ones the same way
blackhole  keep connections open but forward nothing (new ones are accepted and hang)
http500    answer every new connection with an HTTP 500 (for HTTP upstreams)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host, self.port = host, port
        self.mode = "pass"
        self.delay = 0.0
        self._server: asyncio.AbstractServer | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self.connections = 0

    async def start(self) -> "FaultProxy":
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._abort_all()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def set(self, mode: str, delay: float = 0.0) -> None:
        self.mode, self.delay = mode, delay
        if mode in ("reset", "http500"):
            self._abort_all()  # kept-alive connections too: the peer must meet the new behaviour

    def _abort_all(self) -> None:
        for client, upstream in list(self._pairs):
            _rst(client)
            _rst(upstream)
        self._pairs.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.mode == "reset":
            _rst(writer)
            return
        if self.mode == "http500":
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reader.read(65536), 5)
                writer.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 5\r\nconnection: close\r\n\r\nboom!")
                await writer.drain()
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _rst(writer)
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)
        # When either side closes, close both (as PostgreSQL and RabbitMQ do: no half-closed sessions).
        pipes = [asyncio.ensure_future(self._pipe(reader, up_writer)), asyncio.ensure_future(self._pipe(up_reader, writer))]
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for pipe in pipes:
            pipe.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)
        self._pairs.discard(pair)
        for w in pair:
            with contextlib.suppress(Exception):
                w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            while self.mode == "blackhole":
                await asyncio.sleep(0.05)
            if self.mode == "latency" and self.delay:
                await asyncio.sleep(self.delay)
            if self.mode == "reset":
                raise ConnectionResetError
            writer.write(data)
            await writer.drain()


def _rst(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST rather than a FIN, as a crashed peer or a middlebox would."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(Exception):
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(Exception):
        writer.transport.abort()
