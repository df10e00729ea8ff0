"""Every message has its translation, with the same placeholders, compiled; the language is
chosen by flag, setting, environment or browser, and one request's choice stays its own."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from topup import i18n
from topup.i18n import catalogs


@pytest.mark.parametrize("language", catalogs.translated_languages())
@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_every_message_is_translated_with_its_placeholders_and_compiled(
    domain: str, language: str
) -> None:
    found = catalogs.problems(domain, language)
    assert not found, "run `make catalogs` and translate:\n" + "\n".join(map(str, found))


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package with one message in each of the ``cli`` area's files, and empty catalogs."""
    package = tmp_path / "topup"
    (package / "cli").mkdir(parents=True)
    (package / "cli" / "hello.py").write_text(
        'from topup.i18n import _\n\nprint(_("Hello, {name}").format(name="x"))\n'
    )
    monkeypatch.setattr(catalogs, "PACKAGE", package)
    monkeypatch.setattr(catalogs, "LOCALES", tmp_path / "locales")
    return tmp_path


def test_a_new_message_without_translation_fails_the_check(scratch: Path) -> None:
    catalogs.update("cli", "zh_CN")
    found = [str(p) for p in catalogs.problems("cli", "zh_CN")]
    assert found == ["zh_CN/cli: no translation for 'Hello, {name}'"]
    assert catalogs.main(["--check", "cli"]) == 1


def _translate(scratch: Path, text: str) -> Path:
    po = scratch / "locales" / "zh_CN" / "LC_MESSAGES" / "cli.po"
    body = po.read_text()
    marker = 'msgid "Hello, {name}"\nmsgstr ""'
    assert marker in body
    po.write_text(body.replace(marker, f'msgid "Hello, {{name}}"\nmsgstr "{text}"'))
    return po


def test_a_translation_that_drops_a_placeholder_fails_the_check(scratch: Path) -> None:
    catalogs.update("cli", "zh_CN")
    _translate(scratch, "你好")
    found = [str(p) for p in catalogs.problems("cli", "zh_CN")]
    assert "zh_CN/cli: placeholders differ in 'Hello, {name}'" in found


def test_an_uncompiled_translation_fails_until_compiled(scratch: Path) -> None:
    catalogs.update("cli", "zh_CN")
    _translate(scratch, "你好，{name}")
    assert [str(p) for p in catalogs.problems("cli", "zh_CN")] == [
        "zh_CN/cli: cli.mo is not compiled from its .po"
    ]
    catalogs.update("cli", "zh_CN")
    assert catalogs.problems("cli", "zh_CN") == []


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("zh", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh_Hans_CN", "zh_CN"),
        ("zh_CN.UTF-8", "zh_CN"),
        ("en-GB", "en"),
        ("C", None),
        ("POSIX", None),
        ("fr_FR", None),
        ("", None),
    ],
)
def test_language_tags_map_to_the_languages_spoken(tag: str, language: str | None) -> None:
    assert i18n.normalize(tag) == language


def test_flag_then_setting_then_environment_then_english() -> None:
    env = {"LANG": "zh_CN.UTF-8"}
    assert i18n.choose("en", "zh", env) == "en"
    assert i18n.choose(None, "zh", {}) == "zh_CN"
    assert i18n.choose(None, None, env) == "zh_CN"
    assert i18n.choose(None, None, {"TOPUP_LANG": "en", "LANG": "zh_CN.UTF-8"}) == "en"
    assert i18n.choose(None, None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en"
    assert i18n.choose(None, None, {"LANGUAGE": "fr:zh_CN"}) == "zh_CN"
    assert i18n.choose(None, None, {}) == "en"


def test_the_browser_preference_is_ranked_by_quality() -> None:
    assert i18n.negotiate("fr;q=0.9, zh-CN;q=0.8, en;q=0.5") == "zh_CN"
    assert i18n.negotiate("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert i18n.negotiate("zh;q=0, en;q=0.1") == "en"
    assert i18n.negotiate("de, fr") is None
    assert i18n.negotiate("zh;q=bogus, en") == "en"
    assert i18n.negotiate(None) is None


def test_a_message_is_translated_in_the_language_of_its_context() -> None:
    seen: dict[str, str] = {}

    def in_chinese() -> None:
        with i18n.use("zh-CN"):
            ready.wait(5)
            seen["zh"] = i18n.gettext("stale")

    ready = threading.Event()
    thread = threading.Thread(target=in_chinese)
    thread.start()
    seen["en"] = i18n.gettext("stale")
    ready.set()
    thread.join(5)
    assert seen == {"en": "stale", "zh": "数据过旧"}


@pytest.mark.parametrize(
    ("source", "translated", "percent", "same"),
    [
        ("Hello, {name}", "你好，{name}", False, True),
        ("Hello, {name}", "你好，{nam}", False, False),
        ("Hello, {name}", "你好，{name", False, False),  # str.format would raise
        ("Hello, {name}", "你好}，{name}", False, False),
        ("{{literal}} {n}", "{literal} {n}", False, False),  # .format would look up 'literal'
        ("{total[CNY]} left", "剩余 {total[CNY]}", False, True),
        ("%(age)s ago", "%(age)s前", True, True),
        ("%(age)s ago", "%(agee)s前", True, False),  # Jinja's % would raise KeyError
        ("%(n)d left", "剩余 %(n)d，10%", True, False),  # a bare % breaks Jinja's %
        ("%(n)d left", "剩余 %(n)d，10%%", True, True),
    ],
)
def test_a_translation_must_fill_the_same_placeholders_and_stay_a_valid_format(
    source: str, translated: str, percent: bool, same: bool
) -> None:
    assert catalogs._same_fields(source, translated, percent=percent) is same
