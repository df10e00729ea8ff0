"""Fan-out benchmark: N accounts behind a server with injected latency, checked five ways.

(a) ``topup check --json`` (the real CLI, its own process), (b) a sequential loop querying one
account after another (how the best-known gateways refresh their channels' balances), (c) a
bare ``httpx.AsyncClient`` gather, (d) a bare ``aiohttp.ClientSession`` gather and (e) a raw
asyncio client (``asyncio.open_connection``, hand-written HTTP/1.1 keep-alive ``GET``, minimal
parsing), (c)-(e) with the same concurrency. The server is the sandbox (uvicorn + FastAPI) or,
with ``--server fake``, a minimal stdlib asyncio server giving the same SiliconFlow answer (so
the clients, not the server, are what is measured); each runs in its own process. Every client
runs in a fresh process so its peak RSS is its own.

    .venv/bin/python -m benchmarks.fanout --accounts 1000 10000 --latency-ms 50 --concurrency 100
    .venv/bin/python -m benchmarks.fanout --server fake --accounts 1000 10000 --sequential-sample 0
    .venv/bin/python -m benchmarks.fanout --server fake --accounts 10000 --sequential-sample 0 \
        --skip-httpx --repeat 3    # a, d, e in turn, three times each: medians (a loaded machine)

Writes a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
SITE = "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the sandbox process --------------------------------------------------------------------
def serve(state_path: str, port: int) -> None:
    import uvicorn

    from topup.sandbox.app import create_app
    from topup.sandbox.server import uvicorn_config
    from topup.sandbox.state import SandboxState

    state = SandboxState(path=state_path)
    config = uvicorn_config(create_app(state), "127.0.0.1", port, log_level="error")
    uvicorn.Server(config).run()


#: A mixed run's accounts: (provider, site, credential fields) each.
Mixed = list[tuple[str, str, dict[str, str]]]


def prepare(directory: Path, count: int, mixed: bool) -> tuple[Path, list[str], Mixed]:
    """The baseline site (SiliconFlow-shaped, for the bare clients) and, with ``mixed``, the same
    number of accounts spread over one site of every registered platform's imitation."""
    from topup.platforms import all_providers
    from topup.sandbox.imitation import imitation_for
    from topup.sandbox.state import SandboxState

    state = SandboxState(path=directory / "sandbox.db")
    state.add_site(SITE, "siliconflow", replace=True)
    made = state.bulk_accounts(SITE, count, granted="1", paid="9")
    tokens = [a.token for a in made]
    spread: Mixed = []
    if mixed:
        platforms = {}
        for name, provider in all_providers().items():
            imitation = imitation_for(provider)
            if imitation is not None:
                platforms.setdefault(imitation.dialect, (name, imitation))
        share = -(-count // len(platforms))
        for dialect, (name, imitation) in platforms.items():
            site = f"mix-{dialect}"
            state.add_site(site, dialect, replace=True)
            fields, _ = imitation.bulk_fields(imitation.bulk_model().model_dump(exclude_unset=True))
            for record in state.bulk_accounts(site, min(share, count - len(spread)), **fields):
                spread.append((name, site, imitation.account_config(state.site(site), record)))
    state.flush()
    state.close()
    return directory / "sandbox.db", tokens, spread


def write_config(
    directory: Path, base: str, tokens: list[str], concurrency: int, mixed: Mixed
) -> Path:
    lines = [f"[check]\ntimeout = 120\nconcurrency = {concurrency}\nper_host = {concurrency}\n"]
    root = base.rsplit("/", 1)[0]
    entries = mixed or [("siliconflow", SITE, {"api_key": t}) for t in tokens]
    for i, (provider, site, fields) in enumerate(entries):
        lines.append(
            f'[[accounts]]\nname = "acct-{i}"\nprovider = "{provider}"\n'
            f'base_url = "{root}/{site}"\n'
            + "".join(f"{k} = {json.dumps(v)}\n" for k, v in fields.items())
        )
    path = directory / "bench.toml"
    path.write_text("\n".join(lines))
    return path


# -- the minimal fake server (python -m benchmarks.fanout fake PORT LATENCY_MS) ------------
SF_ANSWER = json.dumps(
    {
        "code": 20000,
        "message": "OK",
        "status": True,
        "data": {"id": "u", "balance": "1", "chargeBalance": "9", "totalBalance": "10"},
    }
).encode()


def fake(port: int, latency_ms: int) -> None:
    """Every request, whatever its path, answers SiliconFlow's 200 after ``latency_ms``:
    stdlib asyncio, keep-alive, no framework."""
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(SF_ANSWER)}\r\n\r\n"
    ).encode()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(latency_ms / 1000)
                writer.write(head + SF_ANSWER)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", port, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# -- the baselines: same requests, same concurrency, no topup --------------------------------
async def httpx_gather(url: str, tokens: list[str], concurrency: int) -> int:
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:

        async def one(token: str) -> bool:
            async with semaphore:
                r = await http.get(url, headers={"Authorization": f"Bearer {token}"})
                return r.status_code == 200 and r.json()["code"] == 20000

        return sum(await asyncio.gather(*(one(t) for t in tokens)))


async def aiohttp_gather(url: str, tokens: list[str], concurrency: int) -> int:
    import aiohttp

    semaphore = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(token: str) -> bool:
            async with semaphore, http.get(url, headers={"Authorization": f"Bearer {token}"}) as r:
                return r.status == 200 and (await r.json())["code"] == 20000

        return sum(await asyncio.gather(*(one(t) for t in tokens)))


async def raw_gather(url: str, tokens: list[str], concurrency: int) -> int:
    """``concurrency`` keep-alive connections, each sending its share of the GETs in turn;
    the answer is parsed as far as status line, ``Content-Length`` and the JSON body."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    queue = list(reversed(tokens))

    async def connection() -> int:
        reader, writer = await asyncio.open_connection(host, port)
        ok = 0
        try:
            while queue:
                token = queue.pop()
                writer.write(
                    f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                    f"Authorization: Bearer {token}\r\n\r\n".encode()
                )
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                ok += head.startswith(b"HTTP/1.1 200") and json.loads(body)["code"] == 20000
        finally:
            writer.close()
        return ok

    return sum(await asyncio.gather(*(connection() for _ in range(concurrency))))


BASELINES = {"gather": httpx_gather, "aiohttp": aiohttp_gather, "raw": raw_gather}


# -- the clients (each run as: python -m benchmarks.fanout client VARIANT ...) ------------
def client(variant: str, base: str, tokens_file: str, concurrency: int, config: str) -> None:
    tokens = json.loads(Path(tokens_file).read_text())
    started = time.perf_counter()
    ok = 0
    if variant == "topup":
        proc = subprocess.run(
            [sys.executable, "-m", "topup", "check", "--json", "--config", config],
            capture_output=True,
            check=False,
        )
        results = json.loads(proc.stdout)["results"]
        # answered with the account's state (a bulk account with nothing left is "exhausted")
        ok = sum(1 for r in results if r["status"] in ("ok", "exhausted", "disabled"))
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    elif variant == "sequential":
        with httpx.Client(timeout=30) as http:
            for token in tokens:
                r = http.get(f"{base}/v1/user/info", headers={"Authorization": f"Bearer {token}"})
                ok += r.status_code == 200 and r.json()["code"] == 20000
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    else:
        ok = asyncio.run(BASELINES[variant](f"{base}/v1/user/info", tokens, concurrency))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall = time.perf_counter() - started
    who = resource.RUSAGE_CHILDREN if variant == "topup" else resource.RUSAGE_SELF
    usage = resource.getrusage(who)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"wall": wall, "ok": ok, "peak_rss_mb": rss / 1024, "cpu": cpu}))


def run_client(
    variant: str, base: str, tokens: list[str], concurrency: int, work: Path, mixed: Mixed
) -> dict:
    tokens_file = work / f"tokens-{variant}.json"
    tokens_file.write_text(json.dumps(tokens))
    config = write_config(work, base, tokens, concurrency, mixed)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.fanout",
            "client",
            variant,
            base,
            str(tokens_file),
            str(concurrency),
            str(config),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def start_server(kind: str, work: Path, count: int, latency_ms: int, mixed: bool) -> tuple:
    """The server process, its base URL, the baseline tokens and a mixed run's accounts."""
    port = free_port()
    if kind == "fake":
        tokens = [f"sk-fake-{i:06d}" for i in range(count)]
        command = ["fake", str(port), str(latency_ms)]
        spread: Mixed = []
    else:
        state_path, tokens, spread = prepare(work, count, mixed)
        command = ["serve", str(state_path), str(port)]
    server = subprocess.Popen([sys.executable, "-m", "benchmarks.fanout", *command], cwd=ROOT)
    probe = "/v1/user/info" if kind == "fake" else "/_sandbox/state"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                server.terminate()
                raise
            time.sleep(0.1)
    if kind != "fake":
        for site in {SITE, *(s for _, s, _ in spread)}:
            httpx.post(
                f"http://127.0.0.1:{port}/_sandbox/sites/{site}/faults",
                json={"kind": "latency", "latency_ms": latency_ms},
                timeout=10,
            ).raise_for_status()
    return server, f"http://127.0.0.1:{port}/{SITE}", tokens, spread


def median_run(runs: list[dict]) -> dict:
    """The run with the median wall time (of an odd number; the faster middle one of an even
    number), with every run's wall time kept beside it."""
    ordered = sorted(runs, key=lambda r: r["wall"])
    return {**ordered[(len(ordered) - 1) // 2], "walls": [r["wall"] for r in runs]}


def bench(
    count: int,
    latency_ms: int,
    concurrency: int,
    sequential_sample: int,
    mixed: bool = False,
    server_kind: str = "sandbox",
    repeat: int = 1,
    skip_httpx: bool = False,
) -> dict:
    """One row. With ``repeat``, (a), (d) and (e) run that many times in turn (a, d, e, a, d,
    e...), so load from other processes falls on all of them alike; each keeps its median."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server, base, tokens, spread = start_server(server_kind, work, count, latency_ms, mixed)
        try:
            row: dict = {}
            if not skip_httpx:
                row["gather"] = run_client("gather", base, tokens, concurrency, work, [])
            runs: dict[str, list[dict]] = {"a": [], "aiohttp": [], "raw": []}
            for _ in range(repeat):
                runs["a"].append(run_client("topup", base, tokens, concurrency, work, spread))
                for variant in ("aiohttp", "raw"):
                    runs[variant].append(run_client(variant, base, tokens, concurrency, work, []))
            row.update({name: median_run(made) for name, made in runs.items()})
            sample = tokens[: min(count, sequential_sample)]
            if sample:
                b = run_client("sequential", base, sample, concurrency, work, [])
                b["measured"] = len(sample)
                b["wall_full"] = b["wall"] * count / len(sample)
                row["b"] = b
        finally:
            server.terminate()
            server.wait(10)
    ideal = count * latency_ms / 1000 / concurrency
    platforms = len({p for p, _, _ in spread}) if spread else 1
    return {**row, "count": count, "ideal": ideal, "platforms": platforms, "server": server_kind}


def table(rows: list[dict], latency_ms: int, concurrency: int) -> str:
    server = "the minimal fake server" if rows[0]["server"] == "fake" else "the sandbox"
    out = [
        f"Latency {latency_ms} ms injected by {server}, concurrency {concurrency} "
        f"(overall and per host), {os.cpu_count()} cores; each client in its own process; "
        "client CPU = user + system seconds of the client process.",
        "",
        "| accounts | platforms (a) | (a) topup check | (b) sequential loop "
        "| (c) httpx gather | (d) aiohttp gather | (e) raw asyncio | ideal N×lat/conc "
        "| a/c | a/d | a/e | CPU ms/account a / d / e | peak RSS a / c / d / e | ok a/d/e |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, d, e = r["a"], r["aiohttp"], r["raw"]
        c = r.get("gather", {"wall": math.nan, "peak_rss_mb": math.nan})
        c_wall = "not run" if math.isnan(c["wall"]) else f"{c['wall']:.2f} s"
        a_c = "–" if math.isnan(c["wall"]) else f"{a['wall'] / c['wall']:.2f}"
        b = r.get("b")
        seq = "not run"
        if b is not None:
            seq = f"{b['wall_full']:.1f} s" + (
                f" (extrapolated from {b['measured']})" if b["measured"] < r["count"] else ""
            )
        cpu = " / ".join(f"{x['cpu'] * 1000 / r['count']:.2f}" for x in (a, d, e))
        rss = " / ".join(
            "–" if math.isnan(x["peak_rss_mb"]) else f"{x['peak_rss_mb']:.0f}" for x in (a, c, d, e)
        )
        out.append(
            f"| {r['count']:,} | {r['platforms']} | {a['wall']:.2f} s | {seq} "
            f"| {c_wall} | {d['wall']:.2f} s | {e['wall']:.2f} s | {r['ideal']:.2f} s "
            f"| {a_c} | {a['wall'] / d['wall']:.2f} "
            f"| {a['wall'] / e['wall']:.2f} | {cpu} | {rss} MB "
            f"| {a['ok']}/{d['ok']}/{e['ok']} |"
        )
    repeated = [r for r in rows if len(r["a"]["walls"]) > 1]
    if repeated:
        out.append("")
        out.append(
            f"(a), (d) and (e) each run {len(repeated[0]['a']['walls'])} times in turn; "
            "the table shows each one's median. All wall times (s):"
        )
        for r in repeated:
            walls = "; ".join(
                f"{label} {', '.join(f'{w:.2f}' for w in r[key]['walls'])}"
                for label, key in (("a", "a"), ("d", "aiohttp"), ("e", "raw"))
            )
            out.append(f"{r['count']:,} accounts: {walls}.")
    return "\n".join(out)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "fake":
        fake(int(sys.argv[2]), int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        client(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--sequential-sample", type=int, default=1000, help="0: skip (b)")
    parser.add_argument(
        "--server",
        choices=["sandbox", "fake"],
        default="sandbox",
        help="the sandbox (every platform's imitation) or a minimal stdlib server",
    )
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="(a) checks accounts spread over every registered platform's imitation",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of (a), (d), (e) in turn; medians shown"
    )
    parser.add_argument("--skip-httpx", action="store_true", help="skip (c), the slowest")
    args = parser.parse_args()
    if args.mixed and args.server == "fake":
        parser.error("--mixed needs the sandbox (the fake server answers SiliconFlow only)")
    rows = [
        bench(
            n,
            args.latency_ms,
            args.concurrency,
            args.sequential_sample,
            args.mixed,
            args.server,
            args.repeat,
            args.skip_httpx,
        )
        for n in args.accounts
    ]
    print(table(rows, args.latency_ms, args.concurrency), flush=True)


if __name__ == "__main__":
    main()
