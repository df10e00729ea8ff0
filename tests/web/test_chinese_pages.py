"""The dashboard in Chinese leaves no English behind: chart names, script messages, statuses."""

from __future__ import annotations

import re

from .support import Server

ZH = {"accept-language": "zh-CN,zh;q=0.9"}


def test_sparklines_are_named_in_the_readers_language(open_server: Server) -> None:
    with open_server.client() as c:
        chinese = c.get("/", headers=ZH).text
        english = c.get("/").text  # the same cached summaries, another language
        again = c.get("/", headers=ZH).text
    assert re.search(r'class="spark"[^>]*aria-label="\d+ 个数据点"', chinese)
    assert 'aria-label="无数据"' in chinese  # echo: never checked
    assert not re.search(r'aria-label="(\d+ points?|no data)"', chinese)
    assert re.search(r'class="spark"[^>]*aria-label="\d+ points"', english)
    assert 'aria-label="no data"' in english and "个数据点" not in english
    assert "个数据点" in again and ' points"' not in again  # English did not stick in the cache


def test_the_scripts_messages_come_from_the_page_translated(open_server: Server) -> None:
    with open_server.client() as c:
        chinese = c.get("/", headers=ZH).text
        english = c.get("/").text
    assert 'data-refresh-failed="刷新失败：{error}"' in chinese
    assert 'data-check-failed="检查失败：{error}"' in chinese
    assert 'data-check-failed="check failed: {error}"' in english


def test_statuses_are_called_by_their_names_and_keep_their_values(open_server: Server) -> None:
    with open_server.client() as c:
        overview = c.get("/", headers=ZH).text
        charlie = c.get("/accounts/charlie", headers=ZH).text
        english = c.get("/accounts/charlie").text
    failing = r'<span class="badge failing" data-status="unreachable"[^>]*>([^<]*)<'
    badge = re.search(failing, overview)
    assert badge is not None and badge.group(1) == "无法连接"
    checks = re.findall(r'<td class="state" data-status="(\w+)">([^<]*)</td>', charlie)
    assert ("ok", "正常") in checks and ("unreachable", "无法连接") in checks
    assert not any(label in ("ok", "unreachable") for _, label in checks)
    assert '<td class="state" data-status="ok">ok</td>' in english


def test_stale_is_one_word_in_chinese(open_server: Server) -> None:
    with open_server.client() as c:
        overview = c.get("/", headers=ZH).text
    assert '<span class="badge stale" data-status="stale">数据过旧</span>' in overview  # delta
    assert "个数据过旧" in overview and "已过时" not in overview
