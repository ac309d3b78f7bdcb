"""Every bad vendor file gets one clear line from ``barb import`` (exit 2, nothing written), and
``barb import --help`` describes exactly what the reader accepts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_store.layout import DataFolder
from shared.cli import main as barb
from shared.ingest import formats
from shared.ingest.vendor_csv import VendorFileError, read_vendor_file
from shared.lazy import reset_singletons

HEADER = "timestamp,open,high,low,close,volume\n"
BAR = "2024-01-02 09:30,10,11,9,10.5,100\n"


@pytest.fixture(autouse=True)
def fresh_registry() -> None:
    reset_singletons()


def _import(path: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = barb(["import", str(path), "--symbol", "XYZ", "--data", str(data)])
    return code, capsys.readouterr().err


BAD_FILES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "the file is empty"),
    ("header-only", HEADER.encode(), "line 1: the file has a header but no bars"),
    ("header-only-no-newline", HEADER.strip().encode(), "line 1: the file has a header but no bars"),
    ("blank-lines", b"\n  \n\r\n", "the file has only blank lines, no bars"),
    (
        "unknown-columns",
        b"foo,bar,baz\n1,2,3\n",
        "line 1: the header has no column for timestamp, open, high, low, close "
        "(not recognised: 'foo', 'bar', 'baz')",
    ),
    ("missing-column", b"timestamp,open,high,close\n2024-01-02 09:30,1,2,1\n", "no column for low"),
    (
        "repeated-column",
        b"timestamp,open,high,low,close,close\n2024-01-02 09:30,10,11,9,10,10\n",
        "line 1: more than one close column: columns 5 ('close'), 6 ('close')",
    ),
    ("too-few-fields", b"2024-01-02,1,2\n", "line 1: expected 5 to 7 fields"),
    (
        "unknown-timestamp-format",
        (HEADER + "yesterday,10,11,9,10,1\n").encode(),
        "line 2: timestamp 'yesterday' is in none of the accepted formats",
    ),
    (
        "mixed-timestamp-formats",
        (HEADER + BAR + "01/02/2024 09:31,10,11,9,10,1\n").encode(),
        "line 3: bad timestamp '01/02/2024 09:31': expected the format of line 2, e.g. '2024-01-31 09:30'",
    ),
    (
        "daylight-saving-gap",
        (HEADER + "2024-03-10 02:30,10,11,9,10,1\n").encode(),
        "line 2: '2024-03-10 02:30' does not exist in America/New_York",
    ),
    (
        "non-numeric-price",
        (HEADER + "2024-01-02 09:30,n/a,11,9,10,1\n").encode(),
        "line 2: open 'n/a' is not a number",
    ),
    (
        "infinite-price",
        (HEADER + "2024-01-02 09:30,10,inf,9,10,1\n").encode(),
        "line 2: high 'inf' is not a number",
    ),
    ("binary", bytes(range(256)) * 4, "line 1: not a text file of bars: it holds binary (NUL) bytes"),
    ("excel-workbook", b"PK\x03\x04\x14\x00\x06\x00" + b"x" * 50, "it is a ZIP archive or an Excel workbook"),
    ("parquet", b"PAR1\x15\x04\x15\x80\x01", "it is a Parquet file"),
    (
        "latin-1",
        "timestamp,open,high,low,close\n# café\n".encode("latin-1"),
        "line 2: byte 0xe9 is not UTF-8",
    ),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_gets_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    path = tmp_path / "bars.csv"
    path.write_bytes(content)
    code, err = _import(path, tmp_path / "data", capsys)
    assert code == 2
    assert err.count("\n") == 1, err  # one line, no traceback
    assert err.startswith(f"{path}: refused: ") and expected in err
    assert DataFolder(tmp_path / "data").manifest() is None


def test_a_missing_file_or_a_folder_gets_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.csv"
    assert _import(missing, tmp_path / "data", capsys) == (
        2,
        f"{missing}: refused: the file does not exist\n",
    )
    assert _import(tmp_path, tmp_path / "data", capsys) == (
        2,
        f"{tmp_path}: refused: this is a folder, not a file\n",
    )


def test_several_problems_are_counted_on_the_first_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bars.csv"
    bad = [f"2024-01-02 09:{30 + i},10,9,11,10,1\n" for i in range(25)]  # high below low on every line
    path.write_text(HEADER + "".join(bad))
    code, err = _import(path, tmp_path / "data", capsys)
    lines = err.splitlines()
    assert code == 2 and lines[0] == f"{path}: refused, 25 problems: line 2: high 9.0 is below low 11.0"
    assert lines[1] == "  line 3: high 9.0 is below low 11.0" and lines[-1] == "  … and 5 more"
    assert len(lines) == 21


_CSV_TEXT = st.text(alphabet=st.sampled_from(list('0123456789-:/., ;\tTZ+eaxOHLC"\n\r\x00é')), max_size=200)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(_CSV_TEXT, _CSV_TEXT.map(lambda s: HEADER + s), _CSV_TEXT.map(lambda s: HEADER + BAR + s))
)
def test_any_text_is_read_or_refused_with_a_vendor_file_error(tmp_path: Path, body: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text(body, encoding="utf-8", newline="")
    try:
        read_vendor_file(path, "America/New_York")
    except VendorFileError as exc:
        assert str(exc).startswith(f"{path}: refused")


def _help(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        barb(["import", "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_help_names_the_columns_formats_and_zones_the_reader_accepts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _help(capsys)
    words = " ".join(text.split())  # paragraphs are wrapped
    for aliases in formats.PRICE_ALIASES.values():
        assert f"{', '.join(aliases)}" in words
    for name in formats.TIME_NAMES:
        assert name in words
    for shape in formats.POSITIONAL.values():
        assert " ".join(shape) in words
    for fmt in (*formats.DATE_FORMATS, *formats.DATETIME_FORMATS):
        assert formats.example(fmt) in text  # never split across lines
    assert "epoch seconds" in words and "--timezone" in words and formats.DEFAULT_TIMEZONE in words
    assert "UTC offset" in words and "daylight-saving" in words


@pytest.mark.parametrize("fmt", formats.DATETIME_FORMATS + formats.DATE_FORMATS)
def test_every_example_in_the_help_is_read_as_that_instant(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(f"{HEADER}{formats.example(fmt)},10,11,9,10.5,100\n")
    bars = read_vendor_file(path, "America/New_York")
    if fmt in formats.DATE_FORMATS:  # a date is kept as that day (UTC midnight), not as an instant
        assert bars.daily and bars.frame["ts"][0] == datetime(2024, 1, 31, tzinfo=UTC)
    else:
        ts = bars.frame["ts"][0].astimezone(ZoneInfo("America/New_York")).replace(tzinfo=None)
        seconds = 5 if "%S" in fmt else 0
        assert not bars.daily and ts == datetime(2024, 1, 31, 9, 30, seconds)
