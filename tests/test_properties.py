"""Properties: any answer valid under the seed schemas is classified, never raised; JSON is exact.

The seed OpenAPI documents (``tests/data/seeds``) become JSON Schemas (:mod:`seedspecs`);
hypothesis-jsonschema generates answers valid under them, which go through the real adapters and
runner via :class:`replay.Replay`.
"""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from replay import Replay
from seedspecs import relay_schema, siliconflow_schema

from topup.config import build_account
from topup.model import RESULT_FIELDS, CheckResult, Status
from topup.platforms import Exchange
from topup.runner import Runner, RunOptions
from topup.secrets import mask
from topup.serialize import results_csv, results_json

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
AMOUNT_FIELDS = ("balance", "granted", "paid", "used")
SF_ERRORS = (400, 401, 404, 429, 503, 504)
NUMERIC = r"^-?[0-9]{1,12}(\.[0-9]{1,8})?$"
#: What a secret is made of: printable ASCII without the space.
SECRET_CHARS = st.characters(min_codepoint=33, max_codepoint=126)


JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=12), st.decimals(allow_nan=False)
)


def schema_strategy(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """``from_schema``, with objects built here.

    hypothesis-jsonschema 0.23.1 cannot draw objects with the installed hypothesis 6.170 (it
    calls a removed internal, ``many.more``); leaves still go through ``from_schema``. Objects
    get their required properties, any of the optional ones, and (JSON Schema allows them)
    a few unknown extra keys.
    """
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([schema_strategy({**schema, "type": k}) for k in kind])
    if kind != "object":
        return from_schema(schema)
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = st.fixed_dictionaries(
        {k: schema_strategy(v) for k, v in props.items() if k in required},
        optional={k: schema_strategy(v) for k, v in props.items() if k not in required},
    )
    extras = st.dictionaries(
        st.text(min_size=1, max_size=10).filter(lambda k: k not in props), JSON_LEAVES, max_size=3
    )
    return st.tuples(fixed, extras).map(lambda pair: {**pair[1], **pair[0]})


def check(account: dict[str, Any], exchanges: list[Exchange]) -> CheckResult:
    replay = Replay(exchanges)
    built = build_account({"name": "prop", **account}, env={})

    async def main() -> CheckResult:
        options = RunOptions(retries=0, timeout=5)
        async with Runner(options, transport=replay.transport) as runner:
            return await runner.check(built)

    result = asyncio.run(main())
    assert not replay.errors, replay.errors
    return result


def assert_well_formed(result: CheckResult) -> None:
    assert isinstance(result, CheckResult)
    assert isinstance(result.status, Status)
    for name in AMOUNT_FIELDS:
        value = getattr(result, name)
        assert value is None or isinstance(value, Decimal), (name, value)
    assert result.request_count is None or isinstance(result.request_count, int)
    if result.status is Status.OK:
        assert isinstance(result.balance, Decimal) or result.unlimited, result
        assert result.currency
    else:
        assert result.message and result.message.strip(), result
    if not result.status.checked:
        assert all(getattr(result, n) is None for n in AMOUNT_FIELDS), result
    json.loads(results_json([result], datetime.now(UTC)))  # always serialisable


def _sf_ok_schema() -> dict[str, Any]:
    """The 200 schema narrowed to successful answers, so the ok path is exercised too."""
    schema = copy.deepcopy(siliconflow_schema("200"))
    props = schema["properties"]
    props["code"] = {"const": 20000}
    props["status"] = {"const": True}
    data = props["data"]
    for name in ("balance", "chargeBalance", "totalBalance"):
        data["properties"][name] = {"type": "string", "pattern": NUMERIC}
    data["required"] = ["totalBalance"]
    schema["required"] = ["code", "status", "data"]
    return schema


SF_ACCOUNT = {"provider": "siliconflow", "api_key": "sk-prop-0123456789"}


@SETTINGS
@given(body=schema_strategy(siliconflow_schema("200")))
def test_siliconflow_200_answers_are_classified(body: Any) -> None:
    result = check(SF_ACCOUNT, [Exchange("/v1/user/info", json=body)])
    assert_well_formed(result)


@SETTINGS
@given(body=schema_strategy(_sf_ok_schema()))
def test_siliconflow_successful_answers_give_the_total(body: Any) -> None:
    result = check(SF_ACCOUNT, [Exchange("/v1/user/info", json=body)])
    assert_well_formed(result)
    assert result.status in (Status.OK, Status.DISABLED)
    assert result.balance == Decimal(body["data"]["totalBalance"])
    assert result.currency == "USD"


@SETTINGS
@given(status=st.sampled_from(SF_ERRORS), data=st.data())
def test_siliconflow_error_answers_are_classified(status: int, data: st.DataObject) -> None:
    body = data.draw(schema_strategy(siliconflow_schema(str(status))))
    result = check(SF_ACCOUNT, [Exchange("/v1/user/info", status=status, json=body)])
    assert_well_formed(result)
    expected = {
        401: Status.AUTH_ERROR,
        429: Status.RATE_LIMITED,
        503: Status.UNAVAILABLE,
        504: Status.UNAVAILABLE,
    }.get(status, Status.BAD_RESPONSE)
    assert result.status is expected


RELAY_ACCOUNT = {
    "provider": "newapi",
    "access_token": "relay-prop-token",
    "user_id": 7,
    "base_url": "https://relay.example",
}
AIHUBMIX_ACCOUNT = {"provider": "aihubmix", "access_token": "ahm-prop-manage-key"}
STATUS_ANSWER = Exchange("/api/status", json={"success": True, "data": {"quota_per_unit": 500000}})


@SETTINGS
@given(
    body=schema_strategy(relay_schema()),
    status=st.sampled_from((200, 200, 401, 403)),
    account=st.sampled_from((RELAY_ACCOUNT, AIHUBMIX_ACCOUNT)),
)
def test_relay_and_aihubmix_answers_are_classified(
    body: Any, status: int, account: dict[str, Any]
) -> None:
    result = check(account, [STATUS_ANSWER, Exchange("/api/user/self", status=status, json=body)])
    assert_well_formed(result)
    data = body.get("data") if isinstance(body, dict) else None
    numbers = [data.get(k) for k in ("quota", "used_quota")] if isinstance(data, dict) else []
    succeeded = status == 200 and body["success"] is True
    if succeeded and any(isinstance(n, int) and abs(n) >= 10**25 for n in numbers):
        # Beyond any real quota: refused at the parse boundary, never an exception or a value.
        assert result.status is Status.BAD_RESPONSE and result.balance is None
        return
    if succeeded:
        quota = Decimal(body["data"]["quota"])
        assert result.status in (Status.OK, Status.EXHAUSTED, Status.DISABLED), result
        assert result.balance == quota / 500000
        assert result.used == Decimal(body["data"]["used_quota"]) / 500000
        assert result.currency == "USD"
    else:
        # A refusal may say why (exhausted, disabled) but never invents an amount.
        assert result.status is not Status.OK
        assert all(getattr(result, f) is None for f in AMOUNT_FIELDS), result
        if status in (401, 403) and not result.status.needs_money:
            assert result.status is Status.AUTH_ERROR


@SETTINGS
@given(
    status_body=st.one_of(
        st.none(),
        st.text(max_size=40),
        st.dictionaries(st.text(max_size=15), JSON_LEAVES, max_size=5),
        st.fixed_dictionaries(
            {"success": st.booleans()},
            optional={
                "data": st.one_of(
                    JSON_LEAVES,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "quota_per_unit": JSON_LEAVES,
                            "quota_display_type": st.one_of(
                                st.sampled_from(["USD", "CNY", "TOKENS", "CUSTOM", "cny"]),
                                JSON_LEAVES,
                            ),
                            "usd_exchange_rate": JSON_LEAVES,
                        },
                    ),
                )
            },
        ),
    )
)
def test_any_status_answer_falls_back_without_breaking_the_check(status_body: Any) -> None:
    if status_body is None:
        status_exchange = Exchange("/api/status", status=404, text="404 page not found")
    else:
        status_exchange = Exchange("/api/status", json=status_body)
    answer = {"success": True, "message": "", "data": {"quota": 1_000_000, "used_quota": 0}}
    result = check(RELAY_ACCOUNT, [status_exchange, Exchange("/api/user/self", json=answer)])
    assert_well_formed(result)
    assert result.status is Status.OK
    assert result.balance is not None and result.balance > 0


# -- serialisation and masking ---------------------------------------------------------------
amounts = st.one_of(
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9
    ),
)


@st.composite
def results(draw: st.DrawFn) -> CheckResult:
    return CheckResult(
        account=draw(st.text(min_size=1, max_size=20)),
        provider=draw(st.sampled_from(("siliconflow", "newapi", "aihubmix"))),
        status=draw(st.sampled_from(list(Status))),
        currency=draw(st.one_of(st.none(), st.sampled_from(("USD", "CNY")))),
        balance=draw(amounts),
        granted=draw(amounts),
        paid=draw(amounts),
        used=draw(amounts),
        unlimited=draw(st.booleans()),
        request_count=draw(st.one_of(st.none(), st.integers(min_value=0, max_value=10**12))),
        expires_at=draw(
            st.one_of(
                st.none(), st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1))
            )
        ),
        message=draw(st.one_of(st.none(), st.text(max_size=60))),
    )


@SETTINGS
@given(items=st.lists(results(), max_size=4))
def test_json_round_trips_amounts_exactly(items: list[CheckResult]) -> None:
    checked_at = datetime.now(UTC)
    document = json.loads(results_json(items, checked_at))
    assert list(document) == ["checked_at", "results"]
    assert len(document["results"]) == len(items)
    for result, entry in zip(items, document["results"], strict=True):
        assert list(entry) == list(RESULT_FIELDS)
        for name in AMOUNT_FIELDS:
            original = getattr(result, name)
            if original is None:
                assert entry[name] is None
            else:
                assert isinstance(entry[name], str)
                assert "e" not in entry[name].lower(), entry[name]
                assert Decimal(entry[name]) == original
        assert entry["status"] == result.status.value
        assert entry["unlimited"] is result.unlimited
        assert entry["message"] == result.message
    rows = results_csv(items).splitlines()
    assert rows[0] == ",".join(RESULT_FIELDS)


@SETTINGS
@given(value=st.text(alphabet=SECRET_CHARS, min_size=24, max_size=120))
def test_mask_never_shows_the_middle_of_a_long_secret(value: str) -> None:
    masked = mask(value)
    middle = value[5:-4]
    assert middle not in masked
    assert masked.startswith(value[:5]) and masked.endswith(value[-4:])
    assert len(masked) <= 10


@SETTINGS
@given(value=st.text(alphabet=SECRET_CHARS, max_size=15))
def test_mask_of_a_short_secret_shows_at_most_two_characters(value: str) -> None:
    masked = mask(value)
    assert len(masked.replace("…", "")) <= 2
    if len(value) >= 5:
        assert value not in masked


@SETTINGS
@given(value=st.text(alphabet=SECRET_CHARS, min_size=16, max_size=23))
def test_mask_of_a_mid_length_secret_shows_at_most_a_third(value: str) -> None:
    masked = mask(value)
    assert len(masked.replace("…", "")) <= len(value) / 3
    assert masked.startswith(value[:3]) and masked.endswith(value[-2:])
