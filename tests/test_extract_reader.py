"""Tests of extract/reader.py (and of the coded messages in extract/errors.py it raises)."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.extract.errors import Errors, InputError, PolicyKGError, UsageError
from policykg.extract.reader import (
    MAX_DOCUMENT_BYTES,
    chinese_score,
    decode_bytes,
    read_text,
    validate_encoding,
)

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).parent.parent / "seeds"

#: Lines 1-2 of seeds/000_e07ead4074b87c09.txt, the text of the paragraph_* fixtures.
PARAGRAPH = (
    "同志们：\n"
    "今天，我们召开市委常委会（扩大）会议暨市委理论学习中心组（扩大）学习会议，主要任务是，"
    "深入学习贯彻习近平总书记对XX工作系列重要指示批示精神、习近平总书记关于统筹疫情防控和"
    "经济社会发展重要论述，认真贯彻落实省委XX书记来XX 调研指示精神，专题听取我市贯彻落实情况"
    "汇报，盘点工作中的成绩与不足，研究部署下一步工作，坚定确保党中央大政方针和省委决策部署在"
    "XX落地见效。召开这个会议，主要有三个方面的考虑：\n"
)
PARAGRAPH_CRLF = PARAGRAPH.replace("\n", "\r\n")

# (fixture, the bytes it must hold, the text it must decode to)
FIXTURES = [
    ("paragraph_utf8.txt", PARAGRAPH.encode("utf-8"), PARAGRAPH),
    ("paragraph_utf8_bom.txt", codecs.BOM_UTF8 + PARAGRAPH.encode("utf-8"), PARAGRAPH),
    ("paragraph_utf16le_bom.txt", codecs.BOM_UTF16_LE + PARAGRAPH.encode("utf-16-le"), PARAGRAPH),
    ("paragraph_utf16be_bom.txt", codecs.BOM_UTF16_BE + PARAGRAPH.encode("utf-16-be"), PARAGRAPH),
    ("paragraph_gb18030_crlf.txt", PARAGRAPH_CRLF.encode("gb18030"), PARAGRAPH_CRLF),
]


def test_paragraph_is_the_seed_text() -> None:
    seed = (SEEDS / "000_e07ead4074b87c09.txt").read_text(encoding="utf-8")
    assert seed.startswith(PARAGRAPH)


@pytest.mark.parametrize(("name", "raw", "expected"), FIXTURES)
def test_fixture_holds_the_encoding_it_names(name: str, raw: bytes, expected: str) -> None:
    assert (DATA / name).read_bytes() == raw


@pytest.mark.parametrize(("name", "raw", "expected"), FIXTURES)
def test_read_text_decodes_exactly(name: str, raw: bytes, expected: str) -> None:
    text = read_text(DATA / name)
    assert text == expected
    assert not text.startswith("\ufeff")
    assert read_text(str(DATA / name)) == expected


@pytest.mark.parametrize(("name", "raw", "expected"), FIXTURES)
def test_decode_bytes_matches_read_text(name: str, raw: bytes, expected: str) -> None:
    assert decode_bytes(raw, name) == expected


def test_crlf_is_preserved() -> None:
    text = read_text(DATA / "paragraph_gb18030_crlf.txt")
    assert text.count("\r\n") == 2
    assert "\n" not in text.replace("\r\n", "")


@pytest.mark.parametrize("name", [f[0] for f in FIXTURES])
def test_offsets_agree_across_encodings(name: str) -> None:
    text = read_text(DATA / name)
    # every offset, not just one, maps to the same character once CRLF counts as one
    start = text.index("市委")
    assert text[start : start + 2] == "市委"
    assert start - text[:start].count("\r\n") == PARAGRAPH.index("市委") == 12
    assert text.replace("\r\n", "\n") == PARAGRAPH


def test_offsets_index_the_crlf_text() -> None:
    text = read_text(DATA / "paragraph_gb18030_crlf.txt")
    start = PARAGRAPH_CRLF.index("省委")
    assert text.index("省委") == start == PARAGRAPH.index("省委") + 1


def test_hailar_gbk_crlf_decodes_to_the_seed_text() -> None:
    text = read_text(DATA / "hailar_gbk_crlf.txt")
    seed = (SEEDS / "hailar_district_gov_work_report_2019.txt").read_text(encoding="utf-8")
    assert "\r\n" in text
    assert text.count("\r\n") == text.count("\n") == seed.count("\n") == 42
    assert text.replace("\r\n", "\n") == seed
    assert len(text) == len(seed) + 42


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"plain ASCII\n", "plain ASCII\n"),
        ("中文\r\n".encode(), "中文\r\n"),
        ("中文\r旧式行尾\r".encode(), "中文\r旧式行尾\r"),
        ("中文\r\n".encode("gbk"), "中文\r\n"),
        ("\ufeff中文".encode(), "\ufeff中文"[1:]),
        ("中文\ufeff中".encode("utf-8-sig"), "中文\ufeff中"),  # only the leading BOM goes
        ("\t中文\f".encode(), "\t中文\f"),
        (codecs.BOM_UTF32_LE + "中文𠀀".encode("utf-32-le"), "中文𠀀"),
        (codecs.BOM_UTF16_BE + "中文𠀀".encode("utf-16-be"), "中文𠀀"),
        ((PARAGRAPH + "𠀀").encode("gb18030"), PARAGRAPH + "𠀀"),  # rare but real
    ],
)
def test_decode_bytes_table(raw: bytes, expected: str) -> None:
    assert decode_bytes(raw) == expected


def test_invalid_bytes_name_the_file_and_offset(tmp_path: Path) -> None:
    prefix = "市委常委会".encode()
    path = tmp_path / "broken.txt"
    path.write_bytes(prefix + b"\xff\xfe\xfd" + "学习会议".encode())
    with pytest.raises(InputError) as caught:
        read_text(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"offset {len(prefix)}" in message
    assert message == (
        f"E006 cannot decode {path}: byte 0xFF at offset 15 is not UTF-8 and the file does not "
        "read as GB18030/GBK or Big5 Chinese text either; convert the file to UTF-8 or name "
        "its encoding with --encoding"
    )
    assert caught.value.code == "E006"


@pytest.mark.parametrize(
    ("raw", "offset"),
    [
        # valid GB18030 or Big5, but not Chinese: Shift-JIS, Korean, Russian, Latin-1
        ("日本語のテキストです。東京都に住んでいます。".encode("shift_jis"), 0),
        ("한국어 텍스트입니다. 서울에 살고 있습니다.".encode("euc-kr"), 0),
        ("Привет, как дела? Всё хорошо.".encode("cp1251"), 0),
        ("Le café est très bon".encode("latin-1"), 6),
        # GB18030 with a control character in it
        ("中文".encode("gbk") + b"\x1b[0m" + "正文".encode("gbk"), 0),
    ],
)
def test_non_chinese_legacy_encodings_are_refused(raw: bytes, offset: int) -> None:
    with pytest.raises(InputError, match=f"E006 cannot decode doc: byte 0x.. at offset {offset} "):
        decode_bytes(raw, "doc")


def test_bad_utf16_after_bom() -> None:
    with pytest.raises(InputError) as caught:
        decode_bytes(codecs.BOM_UTF16_LE + "中文".encode("utf-16-le") + b"\x00", "u16.txt")
    assert str(caught.value) == (
        "E007 cannot decode u16.txt: it starts with a UTF-16 byte-order mark but is not valid "
        "UTF-16 (byte offset 6: truncated data); convert the file to UTF-8"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "E005 bin.dat looks like a binary file (NUL byte at offset 8); "
            "give a plain-text document",
        ),
        (
            "中文".encode() + b"\x00",
            "E005 bin.dat looks like a binary file (NUL byte at offset 6); "
            "give a plain-text document",
        ),
        (
            codecs.BOM_UTF16_LE + "中\x00文".encode("utf-16-le"),
            "E005 bin.dat looks like a binary file (NUL character at character offset 1); "
            "give a plain-text document",
        ),
        (
            b"\x01\x02\x03\x04ab",
            "E005 bin.dat looks like a binary file (4 of 6 characters are control characters); "
            "give a plain-text document",
        ),
    ],
)
def test_binary_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_bytes(raw, "bin.dat")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "raw",
    [b"", b" \r\n\t\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, "\u3000\n".encode("gb18030")],
)
def test_empty_is_refused(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(raw)
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert str(caught.value) == f"E004 {path} is empty; give a document that contains text"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert str(caught.value) == f"E001 {path} does not exist; check the path of the document"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_text(tmp_path)
    assert str(caught.value) == (
        f"E002 {tmp_path} is a directory, not a document; give the path of a text file"
    )


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod does not stop root, so make the read itself fail
    path = tmp_path / "secret.txt"
    path.write_text("中文", encoding="utf-8")

    def refuse(self: Path, *args: object, **kwargs: object) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert str(caught.value) == (
        f"E003 cannot read {path}: Permission denied; check that the file is readable"
    )


def test_input_error_is_a_policykg_error() -> None:
    assert issubclass(InputError, PolicyKGError)
    assert PolicyKGError("no code here").code == ""


def test_error_codes_are_numbered_and_match_their_messages() -> None:
    codes = [name for name in vars(Errors) if not name.startswith("_")]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"E\d{3}", code)
        message = getattr(Errors, code)
        assert isinstance(message, str)
        assert message.startswith(code + " ")
        assert "\n" not in message


# -- Big5 and GB18030: the same bytes decode both ways; the Chinese reading wins --------------

#: Real sentences: from the seeds (simplified, for GBK) and as traditional text (for Big5).
SENTENCES = [
    "今天，我们召开市委常委会（扩大）会议暨市委理论学习中心组（扩大）学习会议。",
    "深入实施乡村振兴战略，坚决打赢污染防治攻坚战。",
    "全年地区生产总值增长6%左右，城镇新增就业1.2万人。",
    "要牢固树立绿水青山就是金山银山的理念。",
    "经济发展",
]
TRADITIONAL = [
    "今天，我們召開市委常委會（擴大）會議暨市委理論學習中心組（擴大）學習會議。",
    "深入實施鄉村振興戰略，堅決打贏污染防治攻堅戰。",
    "全年地區生產總值增長6%左右，城鎮新增就業1.2萬人。",
    "要牢固樹立綠水青山就是金山銀山的理念。",
    "經濟發展",
]


@pytest.mark.parametrize("sentence", SENTENCES + TRADITIONAL)
def test_gbk_text_is_not_read_as_big5(sentence: str) -> None:
    raw = sentence.encode("gbk")
    assert decode_bytes(raw) == sentence


@pytest.mark.parametrize("sentence", TRADITIONAL)
def test_big5_text_is_not_read_as_gb18030(sentence: str) -> None:
    raw = sentence.encode("big5")
    assert raw.decode("gb18030", errors="replace") != sentence  # both could decode it
    assert decode_bytes(raw) == sentence


def test_the_big5_speech_decodes_to_the_traditional_speech() -> None:
    traditional = (DATA / "speech_traditional.txt").read_text(encoding="utf-8")
    raw = (DATA / "speech_big5.txt").read_bytes()
    assert raw.decode("gb18030") != traditional  # GB18030 reads every byte of it, wrongly
    assert read_text(DATA / "speech_big5.txt") == traditional


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("经济发展。", 1.0),
        ("經濟發展。", 1.0),
        ("中文\x1b", 0.0),
        ("ascii only", 0.0),
        ("䶮䶮经济", 0.5),
    ],
)
def test_chinese_score(text: str, score: float) -> None:
    assert chinese_score(text) == score


# -- --encoding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoding", "text"),
    [
        ("經濟發展".encode("big5"), "big5", "經濟發展"),
        ("經濟發展".encode("big5"), "BIG5", "經濟發展"),
        ("经济".encode("gbk"), "gbk", "经济"),
        ("\ufeff经济".encode(), "utf-8", "经济"),  # the BOM still goes
        ("经济".encode("utf-16"), "utf-16", "经济"),
        ("Le café".encode("latin-1"), "latin-1", "Le café"),  # detection would refuse it
    ],
)
def test_a_forced_encoding_is_used(raw: bytes, encoding: str, text: str) -> None:
    assert decode_bytes(raw, "doc", encoding) == text


def test_a_forced_encoding_that_fails_names_the_byte() -> None:
    with pytest.raises(InputError) as caught:
        decode_bytes("经济".encode() + b"\xff", "doc.txt", "utf-8")
    assert str(caught.value) == (
        "E008 cannot decode doc.txt as utf-8: byte 0xFF at offset 6 (invalid start byte); give "
        "the file's encoding with --encoding, or leave it out to detect it"
    )


@pytest.mark.parametrize("encoding", ["klingon", "rot13", "base64", ""])
def test_an_unknown_encoding_is_a_usage_error(encoding: str) -> None:
    with pytest.raises(UsageError) as caught:
        decode_bytes(b"x", "doc", encoding)
    assert str(caught.value) == (
        f"E009 unknown text encoding {encoding!r}; give one Python knows, such as utf-8, "
        "utf-16, gb18030, gbk, big5 or big5hkscs"
    )
    assert validate_encoding("GBK") == "gbk"


# -- sizes and special files --------------------------------------------------------------------


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: nothing to write, nothing read
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert str(caught.value) == (
        f"E021 {path} is 52,428,800 bytes, more than the {MAX_DOCUMENT_BYTES:,} bytes policykg "
        "reads from one document; split it into smaller documents"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert str(caught.value) == (
        f"E026 {path} is not a regular file; give the path of a document file"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_an_endless_device_is_not_read() -> None:
    with pytest.raises(InputError, match=r"^E026 /dev/zero is not a regular file"):
        read_text("/dev/zero")


# -- random bytes: decoded, or refused with a coded message --------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.text(max_size=80).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
        st.sampled_from(["gbk", "big5", "utf-16", "utf-32", "shift_jis"]).flatmap(
            lambda codec: st.text(alphabet="经濟发展。，中文abc\r\n ", max_size=40).map(
                lambda t: t.encode(codec, errors="ignore")
            )
        ),
    )
)
def test_random_bytes_decode_or_are_refused_clearly(raw: bytes) -> None:
    try:
        text = decode_bytes(raw, "fuzz.txt")
    except InputError as exc:
        assert exc.code in {"E004", "E005", "E006", "E007"}
        assert "fuzz.txt" in str(exc)
        assert "\n" not in str(exc)
    else:
        assert text.strip()
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates
