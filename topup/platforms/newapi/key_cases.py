"""new-api / one-api key-mode (``sk-`` key) recorded answers with their expected results."""

from __future__ import annotations

from decimal import Decimal

from topup.platforms.base import Case, Exchange, Staged
from topup.platforms.newapi.recorded import (
    _CNY,
    _CREDITS,
    _HTML_SPA,
    _KEY,
    _NO_ROUTE,
    _SUB,
    _TOKEN,
    _TOKENS,
    _USAGE,
    _USD,
    _fail,
    _sub,
    _token,
)

KEY_CASES: tuple[Case, ...] = (
    Case(
        "key mode: /api/usage/token/ in quota units",
        _KEY,
        (
            _USD,
            Exchange(
                _TOKEN,
                json=_token(1000000, 500000).json,
                expect_headers={"authorization": "Bearer sk-relaykey1234567890"},
            ),
        ),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "2",
            "granted": "3",
            "used": "1",
            "scope": "key",
        },
    ),
    Case(
        "key mode: unlimited key has no balance",
        _KEY,
        (_USD, _token(0, 500000, unlimited=True)),
        {"status": "ok", "unlimited": True, "balance": None, "used": "1"},
    ),
    Case(
        "key mode: expired key is exhausted",
        _KEY,
        (_USD, _token(1000000, expires=1600000000)),
        {"status": "exhausted", "balance": "2"},
    ),
    Case(
        "key mode: nothing available is exhausted",
        _KEY,
        (_USD, _token(0, 1000000)),
        {"status": "exhausted", "balance": "0"},
    ),
    Case(
        "key mode: 401 quota used up is exhausted, not auth",
        _KEY,
        (_USD, _fail(_TOKEN, 401, error={"message": "该令牌额度已用尽", "type": "one_api_error"})),
        {"status": "exhausted", "balance": None},
    ),
    Case(
        "key mode: 401 expired key is exhausted",
        _KEY,
        (_USD, _fail(_TOKEN, 401, error={"message": "该令牌已过期", "type": "one_api_error"})),
        {"status": "exhausted"},
    ),
    Case(
        "key mode: 401 invalid key is an auth error",
        _KEY,
        (_USD, _fail(_TOKEN, 401, error={"message": "无效的令牌", "type": "one_api_error"})),
        {"status": "auth_error"},
    ),
    Case(
        "key mode: success:false under HTTP 200",
        _KEY,
        (_USD, _fail(_TOKEN, 200, code=False, message="无效的令牌")),
        {"status": "auth_error"},
    ),
    Case(
        "key mode: SPA page instead of /api/usage/token/ falls back to billing (cents)",
        _KEY,
        (_USD, _HTML_SPA, _sub(10), Exchange(_USAGE, json={"object": "list", "total_usage": 250})),
        {"status": "ok", "currency": "USD", "balance": "7.5", "used": "2.5", "granted": "10"},
    ),
    Case(
        "key mode: 404 falls back; hard limit 100000000 means unlimited",
        _KEY,
        (
            _USD,
            Exchange(_TOKEN, status=404, json={"message": "Not Found"}),
            _sub(100000000),
            Exchange(_USAGE, json={"total_usage": 12345}),
        ),
        {"status": "ok", "unlimited": True, "balance": None, "used": "123.45"},
    ),
    Case(
        "key mode: billing under CNY display is already CNY",
        _KEY,
        (
            _CNY,
            _HTML_SPA,
            _sub(Decimal("72")),
            Exchange(_USAGE, json={"total_usage": Decimal("720")}),
        ),
        {"status": "ok", "currency": "CNY", "balance": "64.8"},
    ),
    Case(
        "key mode: billing 401 quota used up",
        _KEY,
        (
            _USD,
            _HTML_SPA,
            _fail(_SUB, 401, error={"message": "该令牌额度已用尽", "type": "one_api_error"}),
        ),
        {"status": "exhausted"},
    ),
    Case(
        "key mode: no key endpoint at all is a bad response",
        _KEY,
        (
            _USD,
            _HTML_SPA,
            Exchange(_SUB, status=404, text="404 page not found"),
            Exchange(_CREDITS, status=404, text="404 page not found"),
        ),
        {"status": "bad_response"},
    ),
    Case(
        "key mode: TOKENS site billing is token counts, not money",
        _KEY,
        (
            _TOKENS,
            _HTML_SPA,
            _sub(2000000),
            Exchange(_USAGE, json={"object": "list", "total_usage": 50000000}),
        ),
        {
            "status": "ok",
            "currency": "TOKENS",
            "balance": "1500000",
            "granted": "2000000",
            "used": "500000",
            "scope": "key",
        },
    ),
    Case(
        "key mode: no billing, /v1/credits total_usage is what REMAINS",
        _KEY,
        (
            _USD,
            _HTML_SPA,
            Exchange(_SUB, status=404, json=_NO_ROUTE),
            Exchange(_CREDITS, json={"data": {"total_usage": Decimal("7.5")}}),
        ),
        {
            "status": "ok",
            "currency": "USD",
            "balance": "7.5",
            "used": None,
            "granted": None,
            "scope": "key",
        },
    ),
    Case(
        "key mode: /v1/credits 100000000 is an unlimited key",
        _KEY,
        (
            _CNY,
            _HTML_SPA,
            Exchange(_SUB, status=404, json=_NO_ROUTE),
            Exchange(_CREDITS, json={"data": {"total_usage": 100000000}}),
        ),
        {"status": "ok", "currency": "CNY", "unlimited": True, "balance": None},
    ),
    Case(
        "key mode: /v1/credits on a TOKENS site is a token count",
        _KEY,
        (
            _TOKENS,
            _HTML_SPA,
            Exchange(_SUB, status=404, json=_NO_ROUTE),
            Exchange(_CREDITS, json={"data": {"total_usage": 1250000}}),
        ),
        {"status": "ok", "currency": "TOKENS", "balance": "1250000"},
    ),
    Case(
        "key mode: /v1/credits without a figure is a bad response, never 0",
        _KEY,
        (
            _USD,
            _HTML_SPA,
            Exchange(_SUB, status=404, json=_NO_ROUTE),
            Exchange(_CREDITS, json={"data": {}}),
        ),
        {"status": "bad_response", "balance": None},
    ),
)

_NO_TOKEN_USAGE = {"token_usage": False}
_NO_BILLING = {"token_usage": False, "billing": False, "credits": True}
#: The key-mode cases the imitation can stage.
KEY_STAGED: dict[str, Staged] = {
    "key mode: /api/usage/token/ in quota units": Staged(key={"remain": 1000000, "used": 500000}),
    "key mode: unlimited key has no balance": Staged(key={"unlimited": True, "used": 500000}),
    "key mode: 401 quota used up is exhausted, not auth": Staged(key={"remain": 0}),
    "key mode: 401 expired key is exhausted": Staged(key={"remain": 5, "expires_at": 1000000000}),
    "key mode: 401 invalid key is an auth error": Staged(
        key={"remain": 5}, config={"api_key": "sk-not-a-key-of-this-site"}
    ),
    "key mode: SPA page instead of /api/usage/token/ falls back to billing (cents)": Staged(
        key={"remain": 3750000, "used": 1250000}, site=_NO_TOKEN_USAGE
    ),
    "key mode: 404 falls back; hard limit 100000000 means unlimited": Staged(
        key={"unlimited": True, "used": 61725000}, site=_NO_TOKEN_USAGE
    ),
    "key mode: billing under CNY display is already CNY": Staged(
        key={"remain": 4500000, "used": 500000},
        site={**_NO_TOKEN_USAGE, "display": "CNY", "usd_exchange_rate": "7.2"},
    ),
    "key mode: billing 401 quota used up": Staged(key={"remain": 0}, site=_NO_TOKEN_USAGE),
    "key mode: TOKENS site billing is token counts, not money": Staged(
        key={"remain": 1500000, "used": 500000}, site={**_NO_TOKEN_USAGE, "display": "TOKENS"}
    ),
    "key mode: no billing, /v1/credits total_usage is what REMAINS": Staged(
        key={"remain": 3750000, "used": 100}, site=_NO_BILLING
    ),
    "key mode: /v1/credits 100000000 is an unlimited key": Staged(
        key={"unlimited": True}, site={**_NO_BILLING, "display": "CNY"}
    ),
    "key mode: /v1/credits on a TOKENS site is a token count": Staged(
        key={"remain": 1250000}, site={**_NO_BILLING, "display": "TOKENS"}
    ),
    "key mode: no key endpoint at all is a bad response": Staged(
        key={"remain": 5}, site={**_NO_TOKEN_USAGE, "billing": False}
    ),
}
