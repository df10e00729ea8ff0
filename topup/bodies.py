"""Reading an answer's body under a size cap, decompressing it in small steps.

httpx decodes ``Content-Encoding`` one network read at a time, each in full: a 64 KiB read of
a gzip bomb becomes 64 MiB in one call, while the event loop (and so every deadline) waits.
Here the raw bytes are read and decoded by :class:`Decoder` at most :data:`STEP` bytes at a
time; both the bytes received and the bytes they decode to count against the cap, so an
answer never holds more than ``max_body`` of memory however it is encoded, and the loop gets a
turn between steps.

Decoded: ``gzip`` (also several members, as ``gzip`` allows), ``deflate`` (zlib or raw),
``identity``; like httpx, unknown encodings are passed through undecoded. Several encodings
are undone in reverse order, at most :data:`MAX_LAYERS` of them.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterable, Iterable, Iterator

import httpx

from topup.errors import BadResponseError

#: Most bytes one decompression step produces (and so the longest the loop waits for one).
STEP = 64 * 1024
#: Most content codings undone for one answer.
MAX_LAYERS = 3
GZIP = 31
GZIP_MAGIC = b"\x1f\x8b"
#: Headers describing the body as it was sent, not as the adapter receives it (decoded).
BODY_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


class TooLarge(BadResponseError):
    """The answer (received or decoded) is larger than the cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"answer larger than {limit // 1024} KiB; not read")


class _Inflate:
    """One zlib-family coding: gzip, or deflate (zlib-wrapped, or raw as some servers send)."""

    def __init__(self, gzip: bool) -> None:
        self.gzip = gzip
        self.stream = zlib.decompressobj(GZIP) if gzip else None
        self.head = b""  # deflate: the first bytes, until they tell zlib from raw

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of ``data`` (``b""``: what is still pending), at most STEP each."""
        if self.stream is None:
            self.head += data
            if len(self.head) < 2 and data:
                return
            data, self.head = self.head, b""
            self.stream = zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(data) else -15)
        while True:
            if self.stream.eof:
                if not (self.gzip and data and GZIP_MAGIC.startswith(data[:2])):
                    return  # bytes after the end of the stream are ignored, as httpx does
                self.stream = zlib.decompressobj(GZIP)  # the next gzip member
            try:
                out = self.stream.decompress(data, STEP)
            except zlib.error as exc:
                raise BadResponseError(f"answer could not be decompressed ({exc})") from None
            if out:
                yield out
            data = self.stream.unused_data if self.stream.eof else self.stream.unconsumed_tail
            if not data and (self.stream.eof or len(out) < STEP):
                return


def _zlib_header(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] * 256 + head[1]) % 31 == 0


class Decoder:
    """The content codings of one answer, undone incrementally."""

    def __init__(self, content_encoding: str) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
        layers = []
        for name in reversed(names):
            if name in ("gzip", "x-gzip"):
                layers.append(_Inflate(gzip=True))
            elif name == "deflate":
                layers.append(_Inflate(gzip=False))
        if len(layers) > MAX_LAYERS:
            raise BadResponseError(f"answer encoded {len(layers)} times over; not read")
        self.layers = layers

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of ``data``, each at most :data:`STEP` bytes."""
        return self._through(0, iter((data,)))

    def finish(self) -> Iterator[bytes]:
        """What the decoders still hold at the end of the body."""
        for index, layer in enumerate(self.layers):
            yield from self._through(index + 1, layer.feed(b""))

    def _through(self, index: int, pieces: Iterator[bytes]) -> Iterator[bytes]:
        if index == len(self.layers):
            yield from pieces
            return
        layer = self.layers[index]
        for piece in pieces:
            yield from self._through(index + 1, layer.feed(piece))


async def read_body(response: httpx.Response, max_body: int) -> bytes:
    """The decoded body of a streamed ``response``, or :class:`TooLarge` past ``max_body``."""
    if response.is_stream_consumed:  # built in memory (a mock transport): no network bytes
        if len(response.content) > max_body:
            raise TooLarge(max_body)
        return response.content
    encoding = response.headers.get("content-encoding", "")
    return await read_raw(response.aiter_raw(), encoding, max_body)


async def read_raw(raw: AsyncIterable[bytes], content_encoding: str, max_body: int) -> bytes:
    """The decoded body whose raw (still encoded) bytes ``raw`` yields, or :class:`TooLarge`
    past ``max_body`` (received or decoded)."""
    decoder = Decoder(content_encoding) if content_encoding else None
    chunks: list[bytes] = []
    received = size = 0

    async def take(pieces: Iterator[bytes]) -> None:
        nonlocal size
        for piece in pieces:
            size += len(piece)
            if size > max_body:
                raise TooLarge(max_body)
            chunks.append(piece)
            await asyncio.sleep(0)  # one step at a time: other checks and deadlines run

    async for data in raw:
        received += len(data)
        if received > max_body:
            raise TooLarge(max_body)
        if decoder is not None and decoder.layers:
            await take(decoder.feed(data))
        else:  # identity: each network read already gave the loop its turn
            chunks.append(data)
    if decoder is not None:
        await take(decoder.finish())
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def decoded_response(
    status: int, raw_headers: Iterable[tuple[bytes, bytes]], content: bytes, request: httpx.Request
) -> httpx.Response:
    """The answer as adapters receive it: ``content`` decoded, without the headers that
    described the body as it was sent (:data:`BODY_HEADERS`)."""
    headers = [(k, v) for k, v in raw_headers if k.lower() not in BODY_HEADERS]
    return httpx.Response(status, headers=headers, content=content, request=request)
