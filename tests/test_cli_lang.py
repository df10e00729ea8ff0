"""The language of a run: `[ui] lang` read from the config's `[ui]` lines alone when they can be
told apart, else from the whole file, with the same answer either way."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from topup.cli import lazy

ACCOUNTS = "".join(
    f'[[accounts]]\nname = "a{i}"\nprovider = "newapi"\napi_key = "env:K"\n\n' for i in range(50)
)

TEXTS = [
    "",
    ACCOUNTS,
    '[ui]\nlang = "zh-CN"\n',
    ACCOUNTS + '[ui]\nlang = "zh-CN"\n\n[check]\ntimeout = 5\n',
    '[ui] # the language\nlang = "en"  # or zh-CN\n[storage]\nurl = "x"\n',
    '[ui]\nlang = "zh-CN"',  # no newline at the end
    '["ui"]\nlang = "zh-CN"\n',
    "[ ui ]\nlang = 'zh-CN'\n",
    'ui = { lang = "zh-CN" }\n',
    'ui.lang = "zh-CN"\n',
    '[ui.more]\nx = 1\n[ui]\nlang = "zh-CN"\n',
    '[ui]\nlang = "zh-CN"\nnested = [\n  [1, 2],\n]\n',
    'note = """\n[ui]\nlang = "zh-CN"\n"""\n',
    '[check]\nui = 1\n[ui]\nlang = "zh-CN"\n',
    "[ui]\nlang = 5\n",
    '[ui]\nlang = "zh-CN"\n[ui]\nlang = "en"\n',  # not TOML: no language from it
    "[ui\nlang = 'zh-CN'\n",
]


def whole(text: str) -> Any:
    try:
        return tomllib.loads(text).get("ui")
    except tomllib.TOMLDecodeError:
        return None  # ui_lang: no language from a file that is not TOML


def scanned(text: str) -> Any:
    try:
        return lazy._ui_table(text)
    except tomllib.TOMLDecodeError:
        return None


@pytest.mark.parametrize("text", TEXTS)
def test_the_ui_table_read_alone_is_the_one_of_the_whole_file(text: str) -> None:
    assert scanned(text) == whole(text)


def test_a_plain_ui_table_gives_its_language_even_when_another_table_is_broken() -> None:
    """The one difference from parsing the whole file: the config error the command reports
    next is then said in the config's language."""
    text = '[check]\ntimeout = \n[ui]\nlang = "zh-CN"\n'
    assert whole(text) is None and scanned(text) == {"lang": "zh-CN"}


def test_a_large_config_is_not_parsed_whole_for_its_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[int] = []
    loads = tomllib.loads

    def counting(text: str, **kw: Any) -> dict[str, Any]:
        parsed.append(len(text))
        return loads(text, **kw)

    monkeypatch.setattr(tomllib, "loads", counting)
    text = ACCOUNTS * 20 + '[ui]\nlang = "zh-CN"\n'
    assert lazy._ui_table(text) == {"lang": "zh-CN"}
    assert parsed == [len('lang = "zh-CN"\n')]
    parsed.clear()
    assert lazy._ui_table(ACCOUNTS * 20) is None and parsed == []  # no [ui]: nothing to parse


def test_the_language_comes_from_the_config_named_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(ACCOUNTS + '[ui]\nlang = "zh-CN"\n', encoding="utf-8")
    assert lazy.ui_lang(["check", "--config", str(path)]) == "zh-CN"
    path.write_bytes(b'[ui]\nlang = "\xff"\n')  # not UTF-8: no language, as before
    assert lazy.ui_lang(["check", "-c", str(path)]) is None
    assert lazy.ui_lang(["check", "-c", str(tmp_path / "none.toml")]) is None
