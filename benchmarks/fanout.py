"""Fan-out benchmark: N accounts on the sandbox with injected latency, checked three ways.

(a) ``topup check --json`` (the real CLI, its own process), (b) a sequential loop querying one
account after another (how the best-known gateways refresh their channels' balances), and
(c) a bare ``httpx.AsyncClient`` gather with the same concurrency. The sandbox runs in its own
process. Every client runs in a fresh process so its peak RSS is its own.

    .venv/bin/python -m benchmarks.fanout --accounts 1000 10000 --latency-ms 50 --concurrency 100

Writes a Markdown table to stdout (and with ``--write``, into benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


# -- the three clients (each run as: python -m benchmarks.fanout client VARIANT ...) -------
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

        async def main() -> int:
            limits = httpx.Limits(max_connections=concurrency)
            semaphore = asyncio.Semaphore(concurrency)
            async with httpx.AsyncClient(timeout=120, limits=limits) as http:

                async def one(token: str) -> bool:
                    async with semaphore:
                        r = await http.get(
                            f"{base}/v1/user/info", headers={"Authorization": f"Bearer {token}"}
                        )
                        return r.status_code == 200 and r.json()["code"] == 20000

                return sum(await asyncio.gather(*(one(t) for t in tokens)))

        ok = asyncio.run(main())
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall = time.perf_counter() - started
    print(json.dumps({"wall": wall, "ok": ok, "peak_rss_mb": rss / 1024}))


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


def bench(
    count: int, latency_ms: int, concurrency: int, sequential_sample: int, mixed: bool = False
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        state_path, tokens, spread = prepare(work, count, mixed)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.fanout", "serve", str(state_path), str(port)],
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}/{SITE}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/_sandbox/state", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            for site in {SITE, *(s for _, s, _ in spread)}:
                httpx.post(
                    f"http://127.0.0.1:{port}/_sandbox/sites/{site}/faults",
                    json={"kind": "latency", "latency_ms": latency_ms},
                    timeout=10,
                ).raise_for_status()
            a = run_client("topup", base, tokens, concurrency, work, spread)
            c = run_client("gather", base, tokens, concurrency, work, [])
            sample = tokens[: min(count, sequential_sample)]
            b = run_client("sequential", base, sample, concurrency, work, [])
            b["measured"] = len(sample)
            b["wall_full"] = b["wall"] * count / len(sample)
        finally:
            server.terminate()
            server.wait(10)
    ideal = count * latency_ms / 1000 / concurrency
    platforms = len({p for p, _, _ in spread}) if spread else 1
    return {"count": count, "a": a, "b": b, "c": c, "ideal": ideal, "platforms": platforms}


def table(rows: list[dict], latency_ms: int, concurrency: int) -> str:
    out = [
        f"Latency {latency_ms} ms injected by the sandbox, concurrency {concurrency} "
        f"(overall and per host), {os.cpu_count()} cores; each client in its own process.",
        "",
        "| accounts | platforms (a) | (a) topup check | (b) sequential loop "
        "| (c) bare httpx gather "
        "| ideal N×lat/conc | a/b | a/c | peak RSS (a) | peak RSS (c) | ok (a/c) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        a, b, c = r["a"], r["b"], r["c"]
        seq = f"{b['wall_full']:.1f} s" + (
            f" (extrapolated from {b['measured']})" if b["measured"] < r["count"] else ""
        )
        out.append(
            f"| {r['count']:,} | {r.get('platforms', 1)} | {a['wall']:.2f} s | {seq} "
            f"| {c['wall']:.2f} s "
            f"| {r['ideal']:.2f} s "
            f"| {a['wall'] / b['wall_full']:.3f} | {a['wall'] / c['wall']:.2f} "
            f"| {a['peak_rss_mb']:.0f} MB | {c['peak_rss_mb']:.0f} MB | {a['ok']}/{c['ok']} |"
        )
    return "\n".join(out)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        client(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--sequential-sample", type=int, default=1000)
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="(a) checks accounts spread over every registered platform's imitation",
    )
    args = parser.parse_args()
    rows = [
        bench(n, args.latency_ms, args.concurrency, args.sequential_sample, args.mixed)
        for n in args.accounts
    ]
    print(table(rows, args.latency_ms, args.concurrency))


if __name__ == "__main__":
    main()
