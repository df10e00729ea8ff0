"""Credentials in the config: never echoed when wrong, refused when multi-line, scrubbed."""

from __future__ import annotations

from pathlib import Path

import pytest

from topup.config import build_account
from topup.errors import ConfigError
from topup.secrets import Secret, scrub


def test_a_key_pasted_after_env_is_not_echoed() -> None:
    try:
        build_account(
            {"name": "a", "provider": "siliconflow", "api_key": "env:sk-PASTEDKEY-1234567890"}
        )
    except Exception as exc:
        assert "PASTEDKEY" not in str(exc) and "drop the env: prefix" in str(exc)
    else:
        raise AssertionError("a key after env: was accepted")


def test_a_credential_with_a_line_break_is_refused_without_echo(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("sk-firstline-SECRET-aaaa1111\nsk-second-SECRET-bbbb2222\n")
    with pytest.raises(ConfigError) as caught:
        build_account(
            {"name": "a", "provider": "siliconflow", "api_key": f"file:{key}"}, base_dir=tmp_path
        )
    assert "SECRET" not in str(caught.value) and "line break" in str(caught.value)


def test_scrub_masks_the_escaped_form_of_a_secret() -> None:
    raw = "sk-first-SECRET-1\nsk-second-SECRET-2"
    text = f"Illegal header value {raw.encode()!r}"
    assert "SECRET" not in scrub(text, [Secret(raw)])
