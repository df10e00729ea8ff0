"""Custom platforms declared in the config: recipes checked end to end over real HTTP.

Each test declares a recipe and a small imitation of the platform it describes (a loopback
HTTP server that checks the credential where the recipe sends it, and answers the recipe's
shape), then checks an account through the real config parser and runner.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from topup import config as config_module
from topup.custom import RecipeProvider
from topup.errors import ConfigError
from topup.model import CheckResult, Status
from topup.platforms import all_providers, get_provider, unregister
from topup.runner import RunOptions, run

RECIPES = Path(__file__).parent / "data" / "recipes"
KEY = "sk-custom-relay-0123456789abcdef"


# -- the imitation --------------------------------------------------------------------------
@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Route:
    status: int
    body: Any
    #: Where the key must be: ("bearer",), ("header", name) or ("query", name); None: nowhere.
    auth: tuple[str, ...] | None
    key: str


@dataclass
class Imitation:
    """A platform imitated on 127.0.0.1: answers per path, checks the key, records requests."""

    routes: dict[str, Route] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(
        self,
        path: str,
        body: Any,
        *,
        status: int = 200,
        auth: tuple[str, ...] | None = ("bearer",),
        key: str = KEY,
    ) -> None:
        self.routes[path] = Route(status, body, auth, key)

    def respond(self, seen: Received) -> tuple[int, bytes]:
        self.received.append(seen)
        route = self.routes.get(seen.path)
        if route is None:
            return 404, b'{"message": "no such path"}'
        if route.auth is not None and self.credential(seen, route.auth) != route.key:
            return 401, b'{"success": false, "message": "invalid token"}'
        body = route.body if isinstance(route.body, bytes) else json.dumps(route.body).encode()
        return route.status, body

    @staticmethod
    def credential(seen: Received, auth: tuple[str, ...]) -> str | None:
        if auth[0] == "bearer":
            value = seen.headers.get("authorization", "")
            return value.removeprefix("Bearer ") if value.startswith("Bearer ") else None
        if auth[0] == "header":
            return seen.headers.get(auth[1].lower())
        return (seen.query.get(auth[1]) or [None])[0]


@pytest.fixture
def platform() -> Iterator[Imitation]:
    imitation = Imitation()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            seen = Received(
                self.command,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            status, body = imitation.respond(seen)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer
        do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    imitation.url = f"http://{host}:{port}"
    try:
        yield imitation
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(autouse=True)
def forget_custom_platforms() -> Iterator[None]:
    """Parsing a config registers its platforms for the process: forget them after a test."""
    yield
    for name, provider in list(all_providers().items()):
        if issubclass(provider, RecipeProvider):
            unregister(name)


# -- helpers --------------------------------------------------------------------------------
def recipe_text(**keys: Any) -> str:
    lines = ["[[platforms]]"]
    for key, value in keys.items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
            lines.append(f"{key} = {{ {inner} }}")
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def account_text(name: str, provider: str, base_url: str, **keys: Any) -> str:
    lines = ["[[accounts]]", f'name = "{name}"', f'provider = "{provider}"']
    lines.append(f'base_url = "{base_url}"')
    lines += [f"{k} = {json.dumps(v)}" for k, v in keys.items()]
    return "\n".join(lines) + "\n"


RELAY = {
    "name": "myrelay",
    "title": "My Relay",
    "path": "/api/balance",
    "auth": "bearer",
    "fields": ["api_key"],
    "success": "success == `true`",
    "message": "message",
    "balance": "data.balance",
    "used": "data.used",
    "currency": "CNY",
}


def check_one(text: str, tmp_path: Path) -> CheckResult:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    cfg = config_module.load(path)
    (result,) = run(cfg.accounts, RunOptions(timeout=5, retries=0))
    return result


def relay(platform: Imitation, tmp_path: Path, body: Any, **recipe: Any) -> CheckResult:
    platform.answer(recipe.get("path", RELAY["path"]), body)
    text = recipe_text(**{**RELAY, **recipe})
    text += "\n" + account_text("relay", "myrelay", platform.url, api_key=KEY)
    return check_one(text, tmp_path)


# -- checks over real HTTP ------------------------------------------------------------------
def test_a_recipe_reads_balance_used_and_currency_from_its_answer(
    platform: Imitation, tmp_path: Path
) -> None:
    body = {"success": True, "message": "", "data": {"balance": 12.5, "used": "3.25"}}
    result = relay(platform, tmp_path, body)
    assert result.status is Status.OK, result.message
    assert (result.provider, result.currency) == ("myrelay", "CNY")
    assert (result.balance, result.used) == (Decimal("12.5"), Decimal("3.25"))
    (seen,) = platform.received
    assert (seen.method, seen.headers["authorization"]) == ("GET", f"Bearer {KEY}")


def test_numbers_stay_exact_decimals_and_the_divisor_converts_units_exactly(
    platform: Imitation, tmp_path: Path
) -> None:
    # Written out as bytes: a float would already have lost the last digit.
    body = b'{"success": true, "data": {"balance": 1234567.000000000000000001, "used": 250001}}'
    platform.answer("/api/balance", body)
    text = recipe_text(**{**RELAY, "divisor": "500000"})
    text += "\n" + account_text("relay", "myrelay", platform.url, api_key=KEY)
    result = check_one(text, tmp_path)
    assert result.status is Status.OK, result.message
    assert result.balance == Decimal("1234567.000000000000000001") / 500000
    assert result.balance == Decimal("2.469134000000000000000002")
    assert result.used == Decimal("0.500002")


def test_success_false_is_a_failure_with_the_platforms_message_not_a_balance(
    platform: Imitation, tmp_path: Path
) -> None:
    body = {"success": False, "message": "账户已冻结 account frozen", "data": {"balance": 0}}
    result = relay(platform, tmp_path, body)
    assert result.status is Status.BAD_RESPONSE
    assert result.balance is None
    assert "account frozen" in (result.message or "")
    assert "success == `true`" in (result.message or "")


def test_a_path_that_finds_nothing_is_a_bad_response_naming_the_expression_never_zero(
    platform: Imitation, tmp_path: Path
) -> None:
    body = {"success": True, "data": {"quota": 100}}
    result = relay(platform, tmp_path, body)
    assert result.status is Status.BAD_RESPONSE
    assert result.balance is None
    message = result.message or ""
    assert "balance = 'data.balance' found nothing" in message
    assert '"quota":100' in message  # what was there


def test_a_value_that_is_not_a_number_is_a_bad_response_quoting_it(
    platform: Imitation, tmp_path: Path
) -> None:
    body = {"success": True, "data": {"balance": "lots", "used": 1}}
    result = relay(platform, tmp_path, body)
    assert result.status is Status.BAD_RESPONSE
    assert result.balance is None
    assert "data.balance" in (result.message or "") and "'lots'" in (result.message or "")


def test_a_boolean_where_a_number_belongs_is_a_bad_response(
    platform: Imitation, tmp_path: Path
) -> None:
    result = relay(platform, tmp_path, {"success": True, "data": {"balance": True, "used": 0}})
    assert result.status is Status.BAD_RESPONSE and "boolean" in (result.message or "")


def test_a_refused_key_is_an_auth_error_with_the_platforms_message(
    platform: Imitation, tmp_path: Path
) -> None:
    platform.answer("/api/balance", {"success": True, "data": {"balance": 1}}, key="another")
    text = recipe_text(**RELAY) + "\n" + account_text("relay", "myrelay", platform.url, api_key=KEY)
    result = check_one(text, tmp_path)
    assert result.status is Status.AUTH_ERROR
    assert "invalid token" in (result.message or "")
    assert KEY not in (result.message or "")


def test_query_key_auth_sends_the_key_as_a_query_parameter(
    platform: Imitation, tmp_path: Path
) -> None:
    platform.answer("/balance", {"left": "7.10"}, auth=("query", "key"))
    text = recipe_text(name="qrelay", path="/balance", auth="query:key", balance="left")
    text += "\n" + account_text("q", "qrelay", platform.url, api_key=KEY, currency="USD")
    result = check_one(text, tmp_path)
    assert (result.status, result.balance, result.currency) == (Status.OK, Decimal("7.10"), "USD")
    assert platform.received[0].query == {"key": [KEY]}
    assert "authorization" not in platform.received[0].headers


def test_header_auth_sends_the_key_in_the_named_header_and_reads_the_currency_path(
    platform: Imitation, tmp_path: Path
) -> None:
    body = {"credits": {"remaining": 42, "unit": "usd"}}
    platform.answer("/v1/credits", body, auth=("header", "X-Api-Key"))
    text = recipe_text(
        name="hrelay",
        path="/v1/credits",
        auth="header:X-Api-Key",
        fields=["token_key"],
        balance="credits.remaining",
        currency_path="credits.unit",
    )
    text += "\n" + account_text("h", "hrelay", platform.url, token_key=KEY)
    result = check_one(text, tmp_path)
    assert (result.status, result.balance, result.currency) == (Status.OK, Decimal(42), "USD")
    assert platform.received[0].headers["x-api-key"] == KEY


def test_post_sends_the_body_as_json(platform: Imitation, tmp_path: Path) -> None:
    platform.answer("/query", {"code": 0, "result": {"amount": "88.00"}})
    text = recipe_text(
        name="prelay",
        method="POST",
        body={"scope": "all", "page": 1},
        path="/query",
        success="code == `0`",
        balance="result.amount",
        currency="EUR",
    )
    text += "\n" + account_text("p", "prelay", platform.url, api_key=KEY)
    result = check_one(text, tmp_path)
    assert (result.status, result.balance) == (Status.OK, Decimal("88.00"))
    (seen,) = platform.received
    assert seen.method == "POST"
    assert json.loads(seen.body) == {"scope": "all", "page": 1}
    assert seen.headers["content-type"] == "application/json"


def test_an_unlimited_key_has_no_balance_and_says_so(platform: Imitation, tmp_path: Path) -> None:
    body = {"success": True, "data": {"unlimited": True, "balance": 0, "used": 5}}
    result = relay(platform, tmp_path, body, unlimited="data.unlimited == `true`")
    assert result.status is Status.OK and result.unlimited
    assert (result.balance, result.used) == (None, Decimal(5))


def test_an_account_overrides_base_url_currency_and_divisor(
    platform: Imitation, tmp_path: Path
) -> None:
    platform.answer("/api/balance", {"success": True, "data": {"balance": 1000, "used": 0}})
    text = recipe_text(**{**RELAY, "base_url": "http://127.0.0.1:9", "divisor": "10"})
    text += "\n" + account_text(
        "relay", "myrelay", platform.url, api_key=KEY, currency="USD", quota_per_unit="500"
    )
    result = check_one(text, tmp_path)
    assert (result.balance, result.currency) == (Decimal(2), "USD")


# -- include files --------------------------------------------------------------------------
def test_recipes_in_included_files_are_platforms_like_any_other(
    platform: Imitation, tmp_path: Path
) -> None:
    shutil.copytree(RECIPES, tmp_path / "recipes", ignore=shutil.ignore_patterns("broken"))
    platform.answer(
        "/api/user/balance", {"success": True, "data": {"quota": 2500000, "used_quota": 500000}}
    )
    platform.answer("/v1/credits", {"credits": {"remaining": "9.5", "unit": "EUR"}}, auth=None)
    text = 'include = ["recipes/*.toml"]\n\n'
    text += account_text("a", "quota-relay", platform.url, api_key=KEY) + "\n"
    text += account_text("b", "header-relay", platform.url, api_key=KEY)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    cfg = config_module.load(path)
    assert [r.name for r in cfg.platforms] == ["quota-relay", "header-relay"]
    assert cfg.platforms[0].origin == "recipes/relays.toml:4"
    a, b = run(cfg.accounts, RunOptions(timeout=5, retries=0))
    assert (a.status, a.balance, a.used, a.currency) == (
        Status.OK,
        Decimal(5),
        Decimal(1),
        "CNY",
    )
    assert (b.status, b.balance, b.currency) == (Status.OK, Decimal("9.5"), "EUR")
    provider = get_provider("quota-relay")
    assert provider is not None and provider.title == "Quota Relay"
    assert provider.secret_field_names() == {"api_key"}


def test_an_error_in_an_included_file_is_located_in_that_file(tmp_path: Path) -> None:
    shutil.copytree(RECIPES / "broken", tmp_path / "recipes")
    path = tmp_path / "config.toml"
    path.write_text('include = ["recipes/*.toml"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    error = caught.value
    assert (error.path, error.line) == ((tmp_path / "recipes" / "bad-auth.toml").resolve(), 7)
    assert "unknown auth style 'bearr'" in error.message and "typo-relay" in error.message
    assert "did you mean 'bearer'" in (error.hint or "")


def test_an_include_pattern_that_matches_nothing_is_located_at_the_include_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    text = '# recipes\ninclude = ["recipes/*.toml", "recipe/*.toml"]\n\n[check]\ntimeout = 5\n'
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "none.toml").write_text("# no platforms yet\n", "utf-8")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    assert caught.value.line == 2 and "'recipe/*.toml' matches no file" in caught.value.message


def test_an_included_file_holds_platforms_only(tmp_path: Path) -> None:
    (tmp_path / "extra.toml").write_text('[[platforms]]\nname = "x"\n\n[check]\n', "utf-8")
    path = tmp_path / "config.toml"
    path.write_text('include = ["extra.toml"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    assert (caught.value.path, caught.value.line) == ((tmp_path / "extra.toml").resolve(), 4)


# -- config errors --------------------------------------------------------------------------
GOOD = 'name = "x"\npath = "/b"\n'
# (the rest of a [[platforms]] table whose header is line 3, the line, words of the message)
BAD_RECIPES = {
    "bad-jmespath": (GOOD + 'balance = "data.["\n', 6, ["balance", "not a valid JMESPath"]),
    "unknown-function": (GOOD + 'balance = "sumof(a)"\n', 6, ["unknown function sumof()"]),
    "unknown-auth": (GOOD + 'balance = "a"\nauth = "basic"\n', 7, ["unknown auth style"]),
    "header-without-name": (GOOD + 'balance = "a"\nauth = "header:"\n', 7, ["header name"]),
    "missing-balance": (GOOD + 'used = "a"\n', 3, ["no balance expression"]),
    "missing-path": ('name = "x"\nbalance = "a"\n', 3, ["no path"]),
    "builtin-name": (
        'name = "siliconflow"\npath = "/b"\nbalance = "a"\n',
        4,
        ["taken by the built-in platform"],
    ),
    "unknown-key": (GOOD + 'balance = "a"\nbalanse = "b"\n', 7, ["unknown key 'balanse'"]),
    "two-currencies": (
        GOOD + 'balance = "a"\ncurrency = "USD"\ncurrency_path = "c"\n',
        8,
        ["currency or currency_path"],
    ),
    "bad-currency": (GOOD + 'balance = "a"\ncurrency = "dollars"\n', 7, ["currency must be"]),
    "body-with-get": (GOOD + 'balance = "a"\nbody = { a = 1 }\n', 7, ["only sent with"]),
    "float-in-body": (
        GOOD + 'method = "POST"\nbalance = "a"\nbody = { a = 1.5 }\n',
        8,
        ["fraction"],
    ),
    "two-fields": (GOOD + 'balance = "a"\nfields = ["a", "b"]\n', 7, ["exactly one field"]),
    "reserved-field": (GOOD + 'balance = "a"\nfields = ["currency"]\n', 7, ["every account"]),
    "bad-divisor": (GOOD + 'balance = "a"\ndivisor = "0"\n', 7, ["divisor", "positive"]),
    "bad-method": (GOOD + 'balance = "a"\nmethod = "PUT"\n', 7, ["GET or POST"]),
}


@pytest.mark.parametrize("case", sorted(BAD_RECIPES))
def test_a_bad_recipe_is_a_config_error_at_its_line(case: str, tmp_path: Path) -> None:
    table, line, words = BAD_RECIPES[case]
    path = tmp_path / "config.toml"
    path.write_text("[check]\n\n[[platforms]]\n" + table, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    error = caught.value
    assert (error.path, error.line) == (path, line), error.describe()
    for word in words:
        assert word in error.message, error.describe()


def test_a_platform_declared_twice_is_refused_at_the_second(tmp_path: Path) -> None:
    table = '[[platforms]]\nname = "x"\npath = "/b"\nbalance = "a"\n'
    path = tmp_path / "config.toml"
    path.write_text(table + "\n" + table, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    assert caught.value.line == 7 and "declared twice" in caught.value.message
    assert "config.toml:1" in (caught.value.hint or "")


def test_an_account_of_a_custom_platform_needs_its_credential_field(tmp_path: Path) -> None:
    text = recipe_text(**RELAY) + "\n" + account_text("r", "myrelay", "http://127.0.0.1:9")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    assert "missing credential" in caught.value.message and "api_key" in (caught.value.hint or "")


def test_a_recipe_without_base_url_needs_one_on_the_account(tmp_path: Path) -> None:
    text = recipe_text(**RELAY) + '\n[[accounts]]\nname = "r"\nprovider = "myrelay"\n'
    text += f'api_key = "{KEY}"\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    assert "missing base_url" in caught.value.message
