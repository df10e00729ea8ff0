"""Key files are read line by line: plain or CSV by the header, every row located."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from topup.errors import ConfigError
from topup.keys.reading import MAX_LINE, KeyFile, KeyLine, count_lines, open_keys


def read(text: str) -> tuple[KeyFile, list[KeyLine]]:
    keys = KeyFile(io.StringIO(text, newline=""), "keys.txt")
    return keys, list(keys)


def test_plain_lines_skip_blanks_and_comments_but_count_them() -> None:
    keys, lines = read("# header comment\n\nsk-one\r\n   \n  sk-two  \n# end")
    assert keys.columns is None
    assert [(k.line, k.key, k.problem) for k in lines] == [(3, "sk-one", None), (5, "sk-two", None)]


def test_a_header_naming_key_makes_the_file_csv_in_any_column_order() -> None:
    text = '# exported\nName , KEY,base_url\n"a, b",sk-one,https://r.example\n\n,sk-two,\n'
    keys, lines = read(text)
    assert keys.columns == ("name", "key", "base_url")
    assert lines == [
        KeyLine(3, "sk-one", base_url="https://r.example", name="a, b"),
        KeyLine(5, "sk-two"),
    ]


def test_csv_rows_with_the_wrong_number_of_values_or_no_key_are_problems() -> None:
    _, lines = read("key,provider\nsk-one\n,newapi\nsk-two,newapi,extra\n")
    assert [k.problem for k in lines] == [
        "1 values, but the header has 2 columns",
        "no key in the key column",
        "3 values, but the header has 2 columns",
    ]


def test_a_plain_line_with_several_values_points_to_the_csv_header() -> None:
    _, lines = read("sk-one https://relay.example\n")
    assert lines[0].key == "sk-one"
    assert lines[0].problem is not None and "key,provider,base_url,name" in lines[0].problem


@pytest.mark.parametrize(
    ("header", "expected"),
    [("key,base_ur", "unknown column 'base_ur'"), ("key,name,key", "appears twice")],
)
def test_a_wrong_header_is_a_located_config_error(header: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read(f"\n{header}\nsk-one,x\n")
    assert expected in caught.value.describe()
    assert "keys.txt:2" in caught.value.describe()


def test_an_overlong_line_becomes_a_problem_row_and_reading_goes_on() -> None:
    _, lines = read("sk-one\n" + "x" * (MAX_LINE * 3) + "\nsk-two\n")
    assert [(k.line, k.key) for k in lines] == [(1, "sk-one"), (2, ""), (3, "sk-two")]
    assert lines[1].problem == f"line longer than {MAX_LINE} characters"


def test_bytes_that_are_not_utf8_make_their_line_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "keys.txt"
    path.write_bytes(b"\xef\xbb\xbfsk-one\nsk-\xff\xfe\nsk-three\n")
    with open_keys(str(path)) as keys:
        lines = list(keys)
    first = lines[0]
    assert (first.line, first.key, first.problem) == (1, "sk-one", None)  # BOM dropped
    assert lines[1].problem == "the line is not valid UTF-8"
    assert lines[2].key == "sk-three"
    assert count_lines(str(path)) == 3
    assert count_lines("-") is None


def test_a_directory_or_missing_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    for source in (tmp_path, tmp_path / "missing.txt"):
        with pytest.raises(ConfigError) as caught:
            open_keys(str(source))
        assert str(source) in caught.value.describe()
