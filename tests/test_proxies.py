"""Proxies: the environment's HTTP(S)_PROXY/NO_PROXY by default, an account's own ``proxy``
(its password a secret like any other), over real loopback HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from topup.config import build_account, parse
from topup.errors import ConfigError
from topup.model import CheckResult
from topup.runner import Runner, RunOptions

SF_BODY = {"code": 20000, "status": True, "data": {"totalBalance": "4.20"}}


class Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.auth: list[str | None] = []


def serve(recorder: Recorder, status: int = 200) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            recorder.lines.append(self.requestline)
            recorder.auth.append(self.headers.get("Proxy-Authorization"))
            body = json.dumps(SF_BODY if status == 200 else {"error": "auth"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def proxy() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder()
    server, url = serve(recorder)
    yield recorder, url
    server.shutdown()


def check(raw: dict[str, object], env: dict[str, str] | None = None) -> CheckResult:
    account = build_account(
        {"name": "sf", "provider": "siliconflow", "api_key": "sk-proxied-key", **raw},
        env=env or {},
    )

    async def main() -> CheckResult:
        async with Runner(RunOptions(retries=0, timeout=5)) as runner:
            return await runner.check(account)

    return asyncio.run(main())


def test_the_environment_proxy_carries_requests(
    proxy: tuple[Recorder, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, url = proxy
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    result = check({"base_url": "http://balance.invalid"})
    assert result.status == "ok" and str(result.balance) == "4.20", result
    assert recorder.lines == ["GET http://balance.invalid/v1/user/info HTTP/1.1"]


def test_no_proxy_hosts_are_reached_directly(
    proxy: tuple[Recorder, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, url = proxy
    direct = Recorder()
    server, direct_url = serve(direct)
    try:
        monkeypatch.setenv("HTTP_PROXY", url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        result = check({"base_url": direct_url})
    finally:
        server.shutdown()
    assert result.status == "ok"
    assert recorder.lines == [] and direct.lines == ["GET /v1/user/info HTTP/1.1"]


def test_an_accounts_own_proxy_wins_and_its_password_is_a_secret(
    proxy: tuple[Recorder, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, url = proxy
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would fail: the account's wins
    own = url.replace("http://", "http://alice:pr0xy-s3cret@")
    result = check(
        {"base_url": "http://balance.invalid", "proxy": "env:MY_PROXY"}, {"MY_PROXY": own}
    )
    assert result.status == "ok", result
    assert recorder.lines == ["GET http://balance.invalid/v1/user/info HTTP/1.1"]
    assert recorder.auth == ["Basic " + base64.b64encode(b"alice:pr0xy-s3cret").decode()]


def test_a_refusing_proxy_never_quotes_its_password() -> None:
    refusing = Recorder()
    server, url = serve(refusing, status=407)
    try:
        own = url.replace("http://", "http://alice:pr0xy-s3cret@")
        result = check({"base_url": "http://balance.invalid", "proxy": own})
    finally:
        server.shutdown()
    assert result.status != "ok"
    assert "pr0xy-s3cret" not in (result.message or "")
    account = build_account(
        {"name": "a", "provider": "siliconflow", "api_key": "k", "proxy": own}, env={}
    )
    assert "pr0xy-s3cret" not in repr(account) and "pr0xy-s3cret" not in str(account.proxy)


@pytest.mark.parametrize("value", ["ftp://127.0.0.1:21", "127.0.0.1:8080", "socks4://h:1"])
def test_a_proxy_that_is_not_a_proxy_url_is_a_located_config_error(
    value: str, tmp_path: Path
) -> None:
    text = f'[[accounts]]\nname = "a"\nprovider = "siliconflow"\napi_key = "k"\nproxy = "{value}"\n'
    with pytest.raises(ConfigError) as caught:
        parse(text, tmp_path / "c.toml", env={})
    assert caught.value.line == 5 and "proxy must be" in caught.value.message


def test_socks5_proxies_are_accepted() -> None:
    account = build_account(
        {"name": "a", "provider": "siliconflow", "api_key": "k", "proxy": "socks5://127.0.0.1:1"},
        env={},
    )
    assert account.proxy is not None
    result = check({"proxy": "socks5://127.0.0.1:1", "base_url": "http://balance.invalid"})
    assert result.status == "unreachable", result  # nothing listens there: a classified failure
