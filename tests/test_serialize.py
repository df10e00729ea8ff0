"""``--json`` text: written without the standard library's slow indenting encoder, the same
bytes as ``json.dumps(..., ensure_ascii=False, indent=2)``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from topup.model import CheckResult, CurrencyBalance, QuotaWindow, Status
from topup.serialize import indented_json, result_dict, results_json

LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
)
DOCUMENTS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(document=DOCUMENTS)
def test_indented_json_is_the_standard_librarys_text(document: Any) -> None:
    assert indented_json(document) == json.dumps(document, ensure_ascii=False, indent=2)


def test_keys_that_are_not_strings_are_written_as_the_standard_library_writes_them() -> None:
    document = {"a": {1: 2.5, None: [], False: "x"}, "b": [{"c": None}]}
    assert indented_json(document) == json.dumps(document, ensure_ascii=False, indent=2)


def test_values_json_cannot_write_fail_as_they_do_there() -> None:
    try:
        indented_json({"a": Decimal(1)})
    except TypeError as exc:
        assert "Decimal" in str(exc)
    else:
        raise AssertionError("a Decimal is not JSON")


def test_results_json_is_the_indented_document_of_the_results() -> None:
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    results = [
        CheckResult(
            "a",
            "siliconflow",
            Status.OK,
            checked_at=at,
            currency="USD",
            balance=Decimal("10.50"),
            balances=(CurrencyBalance(currency="USD", balance=Decimal("10.50")),),
            windows=(QuotaWindow(name="5h", used_percent=Decimal(40), resets_at=at),),
            low=False,
            attention=(),
        ),
        CheckResult.failure(
            "b", "newapi", Status.AUTH_ERROR, "key rejected: «ключ» \x1b", checked_at=at
        ),
    ]
    document = {"checked_at": "2026-12-01T12:00:00Z", "results": [result_dict(r) for r in results]}
    text = results_json(results, at)
    assert text == json.dumps(document, ensure_ascii=False, indent=2)
    assert json.loads(text)["results"][0]["windows"][0]["used_percent"] == "40"
