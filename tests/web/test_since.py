"""The API's ``since=``: a date that overflows is a client error; a huge duration is capped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import HTTPException

from topup.web.api import MAX_SINCE, parse_since

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_date_that_overflows_is_a_client_error() -> None:
    with pytest.raises(HTTPException) as caught:
        parse_since("9999-12-31T23:59:59-01:00", NOW)
    assert caught.value.status_code == 422


def test_a_huge_duration_is_capped() -> None:
    assert parse_since("99999999999d", NOW) == NOW - MAX_SINCE
