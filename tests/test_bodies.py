"""Answer bodies: decoded in small steps under the cap; gzip bombs cost neither memory nor time.

The bomb tests run the checks in a subprocess and read its peak resident memory (``VmHWM``
in /proc/self/status) after a healthy run and again after the bombs: before bodies were
decoded in steps, 32 bombs of 1 GiB (1 MB on the wire) took 2.2 GB, and decoding blocked the
event loop so the per-account deadline could not cut it short.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures_loopback import sf_ok
from hypothesis import given, settings
from hypothesis import strategies as st
from replay import dumps

from topup.bodies import STEP, Decoder, read_body
from topup.errors import BadResponseError
from topup.platforms.responses import exact_json

ROOT = Path(__file__).resolve().parent.parent
MIB = 1 << 20


def gzip_bomb(mib: int) -> bytes:
    """``mib`` MiB of zeros as one gzip member of about 1 KB per MiB, built in milliseconds.

    Each MiB is compressed after a full flush, so every block after the first is the same
    bytes; the trailer's CRC is not computed (nothing ever decodes that far).
    """
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    head = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    return head + block * (mib - 1) + b"\x03\x00" + struct.pack("<II", 0, (mib * MIB) % 2**32)


def decode_all(encoding: str, data: bytes, chunk: int) -> bytes:
    decoder = Decoder(encoding)
    out: list[bytes] = []
    for start in range(0, len(data), chunk):
        out.extend(decoder.feed(data[start : start + chunk]))
    out.extend(decoder.finish())
    assert not decoder.layers or all(len(piece) <= STEP for piece in out)
    return b"".join(out)


def gzip_bytes(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


# -- the decoder ------------------------------------------------------------------------------
#: About 300 KB (several decoding steps) that compress to a few KB (fast to feed byte by byte).
PAYLOAD = json.dumps({"data": [{"i": i % 16, "v": "x" * (i % 8)} for i in range(20_000)]}).encode()


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 20])
def test_every_supported_coding_decodes_exactly_in_any_chunking(chunk: int) -> None:
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    cases = {
        "gzip": gzip_bytes(PAYLOAD),
        "x-gzip": gzip_bytes(PAYLOAD),
        "deflate": zlib.compress(PAYLOAD),
        "Deflate": raw.compress(PAYLOAD) + raw.flush(),  # raw deflate without a zlib header
        "identity": PAYLOAD[:5000],
        "": PAYLOAD[:5000],
        "br": PAYLOAD[:5000],  # not decoded (as httpx without brotli): passed through
        "gzip, gzip": gzip_bytes(gzip_bytes(PAYLOAD)),
        "deflate, gzip": gzip_bytes(zlib.compress(PAYLOAD)),
    }
    for encoding, body in cases.items():
        expected = body if not Decoder(encoding).layers else PAYLOAD
        assert decode_all(encoding, body, chunk) == expected, encoding


def test_several_gzip_members_are_one_body_and_trailing_bytes_are_ignored() -> None:
    half = len(PAYLOAD) // 2
    body = gzip_bytes(PAYLOAD[:half]) + gzip_bytes(PAYLOAD[half:])
    for chunk in (1, 3, 1000, len(body)):
        assert decode_all("gzip", body, chunk) == PAYLOAD
    assert decode_all("deflate", zlib.compress(PAYLOAD) + b"junk", 100) == PAYLOAD


def test_corrupt_or_overlayered_bodies_are_bad_responses() -> None:
    with pytest.raises(BadResponseError, match="decompressed"):
        decode_all("gzip", b"\x1f\x8b\x08\x00garbage-garbage-garbage", 5)
    with pytest.raises(BadResponseError, match="encoded 4 times"):
        Decoder("gzip, gzip, gzip, gzip")


def test_a_bomb_is_decoded_one_small_step_at_a_time() -> None:
    decoder = Decoder("gzip")
    pieces = decoder.feed(gzip_bomb(64))  # 64 MiB from 64 KB: lazily, never all at once
    first = next(pieces)
    assert len(first) <= STEP


def body_of(content: bytes, encoding: str, max_body: int) -> bytes:
    async def main() -> bytes:
        async def stream() -> Any:
            for start in range(0, len(content), 65536):
                yield content[start : start + 65536]

        response = httpx.Response(
            200, headers={"content-encoding": encoding}, content=stream(), request=None
        )
        return await read_body(response, max_body)

    return asyncio.run(main())


def test_the_cap_counts_decoded_and_received_bytes() -> None:
    assert body_of(gzip_bytes(PAYLOAD), "gzip", len(PAYLOAD)) == PAYLOAD
    with pytest.raises(BadResponseError, match="larger than"):
        body_of(gzip_bytes(PAYLOAD), "gzip", len(PAYLOAD) - 1)  # small on the wire, not decoded
    with pytest.raises(BadResponseError, match="larger than"):
        body_of(PAYLOAD, "br", len(PAYLOAD) - 1)  # passed through undecoded: still counted
    with pytest.raises(BadResponseError, match="larger than 2048 KiB"):
        body_of(gzip_bomb(1024), "gzip", 2 * MIB)


# -- bombs over HTTP --------------------------------------------------------------------------
class BombServer:
    """``/bomb/...``: 1 GiB of zeros, gzip; ``/drip/...``: a gzip stream trickled forever;
    ``/ok/...``: a documented SiliconFlow answer."""

    def __init__(self) -> None:
        self.bomb = gzip_bomb(1024)
        self.ok = dumps(sf_ok("ok", "5").json).encode()
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                try:
                    if self.path.startswith("/ok/"):
                        self.answer(server.ok, {})
                    elif self.path.startswith("/bomb/"):
                        self.answer(server.bomb, {"content-encoding": "gzip"})
                    else:
                        self.drip()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            def answer(self, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.send_header("connection", "close")  # it closes after each answer
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def drip(self) -> None:
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-encoding", "gzip")
                self.end_headers()
                c = zlib.compressobj(6, zlib.DEFLATED, 31)
                noise = random.Random(1)
                while not server.stop.wait(0.05):
                    self.wfile.write(c.compress(noise.randbytes(512)) + c.flush(zlib.Z_SYNC_FLUSH))
                    self.wfile.flush()

        class Server(ThreadingHTTPServer):
            request_queue_size = 128
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> BombServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def bombs() -> Iterator[BombServer]:
    with BombServer() as server:
        yield server


CHILD = r"""
import asyncio, json, sys, time
from topup.config import build_account
from topup.runner import Runner, RunOptions

url, count, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

def peak_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

def accounts(path):
    return [
        build_account({"name": f"{path}{i}", "provider": "siliconflow",
                       "api_key": f"sk-{path}-{i:04d}-0000", "base_url": f"{url}/{path}"}, env={})
        for i in range(count)
    ]

async def check(path, timeout):
    async with Runner(RunOptions(timeout=timeout, retries=0, concurrency=32)) as runner:
        started = time.monotonic()
        results = await runner.check_all(accounts(path))
        return results, time.monotonic() - started

healthy, _ = asyncio.run(check("ok", 30.0))
assert all(r.status.value == "ok" for r in healthy), healthy
baseline = peak_kib()
results, took = asyncio.run(check(sys.argv[4], timeout))
print(json.dumps({
    "baseline_kib": baseline,
    "peak_kib": peak_kib(),
    "took": took,
    "results": [[r.status.value, r.message, r.duration] for r in results],
}))
"""


def run_child(server: BombServer, path: str, count: int, timeout: float) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, server.url, str(count), str(timeout), path],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("count", [1, 32])
def test_gzip_bombs_are_bad_responses_in_flat_memory_within_the_deadline(
    bombs: BombServer, count: int
) -> None:
    timeout = 5.0
    started = time.monotonic()
    report = run_child(bombs, "bomb", count, timeout)
    growth_mib = (report["peak_kib"] - report["baseline_kib"]) / 1024
    print(f"{count} bombs: peak RSS +{growth_mib:.1f} MiB over a healthy run of {count}")
    for status, message, duration in report["results"]:
        assert status == "bad_response"
        assert "answer larger than 2048 KiB" in message
        assert duration < timeout
    assert report["took"] < timeout
    # Before: +214 MB for one bomb, +2.2 GB for 32. Decoded in steps, each answer holds at most
    # the 2 MiB cap; the bound is generous for allocator noise.
    assert growth_mib < 100, report
    assert time.monotonic() - started < 60


def test_a_compressed_answer_that_never_ends_is_cut_at_the_deadline(bombs: BombServer) -> None:
    timeout = 1.0
    report = run_child(bombs, "drip", 8, timeout)
    for status, message, duration in report["results"]:
        assert status == "unavailable"
        assert "within 1s" in message
        assert duration < timeout + 0.5
    assert report["took"] < timeout + 1.0


def _outcome(decode: Any, content: bytes) -> tuple[str, str]:
    try:
        return "value", repr(decode(content))
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError: both "bad response"
        return type(exc).__name__, str(exc)


JSON_TEXTS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
).map(json.dumps)


@settings(max_examples=200, deadline=None)
@given(
    content=st.one_of(
        st.binary(max_size=64),
        st.tuples(JSON_TEXTS, st.sampled_from(["utf-8", "utf-16", "utf-32-le", "utf-8-sig"])).map(
            lambda pair: pair[0].encode(pair[1])
        ),
    )
)
def test_answers_are_read_as_json_loads_reads_them_with_exact_numbers(content: bytes) -> None:
    expected = _outcome(lambda c: json.loads(c, parse_float=Decimal), content)
    assert _outcome(exact_json, content) == expected
