"""Document formats (extract/formats.py): each format's text, exactly, and every refusal."""

from __future__ import annotations

import contextlib
import io
import time
import zipfile
from pathlib import Path

import pytest

from policykg.extract import extract_text
from policykg.extract import formats as formats_module
from policykg.extract.errors import InputError
from policykg.extract.formats import (
    check_format,
    display_name,
    docx_text,
    html_text,
    markdown_text,
    pdf_text,
    read_document,
    reflow,
)

FORMATS = Path(__file__).parent / "data" / "formats"
SPEECH = (FORMATS / "speech.txt").read_text(encoding="utf-8")
#: speech.md read: markup gone, the blank lines between Markdown blocks kept.
SPEECH_MD = (
    "同志们：\n\n今天，我们召开市委常委会（扩大）会议。在此，我代表市委，向同志们表示感谢。\n\n"
    "一、坚持学用结合，推动党中央决策部署落地见效\n\n"
    "一要着力推动经济高质量发展。市委经济工作会议确定了全年经济增长8.0%以上的目标。"
    "要深入实施乡村振兴战略，要克服思维惯性。\n"
    "二要持续用力抓好生态建设。习近平总书记强调，“要牢固树立绿水青山就是金山银山的理念”。"
    "坚决打赢污染防治攻坚战。\n"
)
WRAPPED = (
    "今年是全面贯彻落实党的二十大精神的开局之年，我们要坚持稳中求进工作总基调，完整、准确、"
    "全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展，深入实施乡村振兴战略和"
    "区域协调发展战略，统筹发展和安全，全力以赴拼经济、促发展、惠民生、保稳定，确保全年"
    "地区生产总值增长6%以上。\n"
)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("speech.txt", SPEECH),
        ("speech.md", SPEECH_MD),
        ("speech.html", SPEECH),  # GBK, declared as gb2312
        ("speech.docx", SPEECH),  # paragraphs, a heading and a table
        ("speech.pdf", SPEECH),
        ("wrapped.pdf", WRAPPED),  # one paragraph over four PDF lines, joined again
    ],
)
def test_each_format_reads_to_its_text(name: str, text: str) -> None:
    assert read_document(FORMATS / name) == text


def test_every_format_gives_the_extraction_of_the_text() -> None:
    def shape(text: str) -> list[tuple[str, str]]:
        return [(str(e.type), e.label) for e in extract_text(text, "speech").entities]

    expected = shape(SPEECH)
    assert len(expected) == 14
    for name in ("speech.md", "speech.html", "speech.docx", "speech.pdf"):
        assert shape(read_document(FORMATS / name)) == expected, name


def test_a_pdf_without_text_layer_is_refused() -> None:
    path = FORMATS / "scan.pdf"
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert str(caught.value) == (
        f"E024 {path} has no text layer (its pages are images, such as a scan); run OCR on it "
        "first or give the text as a .txt file"
    )


@pytest.mark.parametrize("name", ["notes.rtf", "sheet.xlsx", "README", "a.txt.bak", "x.doc"])
def test_other_formats_are_refused_by_name(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text("市委", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert str(caught.value) == (
        f"E020 {path} is not a document format policykg reads; give .txt, .md, .html, .htm, "
        ".docx, .pdf files (or convert it to one)"
    )


@pytest.mark.parametrize(
    ("name", "suffix"), [("a.TXT", ".txt"), ("b.Md", ".md"), ("c.HTM", ".htm"), ("d.PDF", ".pdf")]
)
def test_suffixes_are_compared_case_insensitively(name: str, suffix: str) -> None:
    assert check_format(name) == suffix


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "broken.docx",
            b"PK\x03\x04 not really a zip",
            "E023 cannot read {path} as a Word document: File is not a zip file; check that "
            "the file is not damaged",
        ),
        (
            "broken.pdf",
            b"%PDF-1.4\n garbage",
            "E023 cannot read {path} as a PDF: ",
        ),
        ("empty.pdf", b"", "E004 {path} is empty; give a document that contains text"),
        (
            "blank.html",
            b"<html><body><script>x()</script> \n</body></html>",
            "E004 {path} is empty; give a document that contains text",
        ),
        (
            "deep.html",
            b"<div>" * 3000 + "深".encode(),
            "E023 cannot read {path} as an HTML page: Excessive depth in document: 2048, use "
            "XML_PARSE_HUGE option; check that the file is not damaged",
        ),
    ],
)
def test_damaged_and_empty_documents(name: str, data: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert str(caught.value).startswith(message.format(path=path))


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(FORMATS / "speech.pdf"))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert str(caught.value) == (
        f"E025 {path} is encrypted; decrypt it first or give the text as a .txt file"
    )


def test_a_pdf_encrypted_without_password_is_read(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(FORMATS / "speech.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert pdf_text(buffer.getvalue(), "open.pdf") == SPEECH


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(formats_module, "MAX_UNPACKED_BYTES", 10_000)
    data = (FORMATS / "speech.docx").read_bytes()
    with pytest.raises(InputError) as caught:
        docx_text(data, "bomb.docx")
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert str(caught.value) == (
        f"E023 cannot read bomb.docx as a Word document: it unpacks to {unpacked:,} bytes, "
        "more than 10,000; check that the file is not damaged"
    )


def test_the_longest_text_is_one_spacy_takes() -> None:
    from policykg.extract import make_nlp

    assert make_nlp().max_length >= formats_module.MAX_DOCUMENT_CHARS


def test_a_text_too_long_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats_module, "MAX_DOCUMENT_CHARS", 100)
    path = tmp_path / "long.txt"
    path.write_text("市委" * 51, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_document(path)
    assert str(caught.value) == (
        f"E022 {path} holds 102 characters of text, more than the 100 policykg extracts from "
        "one document; split it into smaller documents"
    )


# -- HTML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "text"),
    [
        ("<p>中文<b>粗</b>尾<br>下一行</p>", "中文粗尾\n下一行\n"),
        ("<p>前</p><script>var a = '<p>x</p>';</script>后<style>p {}</style>文", "前\n后文\n"),
        ("<p>a<!-- 注释 -->b</p><template><p>模板</p></template>", "ab\n"),
        ("<head><title>标题</title></head><body>正文</body>", "正文\n"),
        ("<p>多个   空格\n 和\t换行</p>", "多个 空格 和 换行\n"),
        ("<pre>保留  空格\n  缩进</pre>", "保留  空格\n缩进\n"),
        ("<p>&lt;script&gt; &amp;&#x4E2D;&nbsp;文</p>", "<script> &中\xa0文\n"),
        ("<table><tr><td>格一</td><td>格二</td></tr></table>", "格一\n格二\n"),
        ("<p>\u3000\u3000首行缩进</p>", "\u3000\u3000首行缩进\n"),
        ('<?xml version="1.0" encoding="utf-8"?><html><body>正文</body></html>', "正文\n"),
        ("<p>未闭合<div>块", "未闭合\n块\n"),
    ],
)
def test_html_text(page: str, text: str) -> None:
    assert html_text(page.encode("utf-8"), "page.html") == text


@pytest.mark.parametrize(
    ("declaration", "encoding"),
    [
        ('<meta charset="gb2312">', "gbk"),
        ('<meta charset="GBK">', "gbk"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=big5">', "big5"),
        ('<meta charset="utf-8">', "utf-8"),
        ('<meta charset="iso-8859-1">', "gbk"),  # a single-byte charset is not believed
        ("", "big5"),  # no declaration: detected
    ],
)
def test_html_charset(declaration: str, encoding: str) -> None:
    page = f"<html><head>{declaration}</head><body><p>經濟發展和國家安全。</p></body></html>"
    assert html_text(page.encode(encoding), "page.html") == "經濟發展和國家安全。\n"


def test_html_encoding_option_wins_over_the_declaration() -> None:
    page = '<meta charset="utf-8"><p>經濟發展。</p>'.encode("big5")
    assert html_text(page, "page.html", encoding="big5") == "經濟發展。\n"


# -- Markdown ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("# 政府工作报告\n", "政府工作报告\n"),
        ("## 一、总体要求 ##\r\n", "一、总体要求\r\n"),
        ("> 引文\n>> 再引\n", "引文\n再引\n"),
        ("- 一是推进改革\n* 二是扩大开放\n+ 三是\n", "一是推进改革\n二是扩大开放\n三是\n"),
        ("1. 第一项\n", "1. 第一项\n"),  # numbering is the document's own
        ("**乡村振兴战略**和__共同富裕__，`代码`\n", "乡村振兴战略和共同富裕，代码\n"),
        ("见[通知](https://x.org/a)和![图](a.png)\n", "见通知和图\n"),
        ("```\n代码\n```\n---\n***\n标题\n===\n", "\n代码\n\n\n\n标题\n\n"),
        ("增长5*3倍，a_b_c\n", "增长5*3倍，a_b_c\n"),
    ],
)
def test_markdown_text(markdown: str, text: str) -> None:
    assert markdown_text(markdown) == text


# -- PDF reflow and names -----------------------------------------------------------------------


def test_reflow_joins_full_lines_that_do_not_end_a_sentence() -> None:
    full = "推" * 30
    text = f"一、标题\n{full}\n{full}\n结尾。\n{full[:-1]}。\n短行\n"
    assert reflow(text) == f"一、标题\n{full}{full}结尾。\n{full[:-1]}。\n短行\n"


def test_reflow_leaves_short_documents_alone() -> None:
    assert reflow("短行\n另一行\n") == "短行\n另一行\n"


@pytest.mark.parametrize(
    ("name", "shown"),
    [("报告.txt", "报告.txt"), ("\udcff\udcfe.txt", "\ufffd\ufffd.txt"), ("a\nb.txt", "a\nb.txt")],
)
def test_display_name_is_valid_unicode(name: str, shown: str) -> None:
    assert display_name(name) == shown
    shown.encode("utf-8")


# -- bounded time on hostile input ------------------------------------------------------------


@pytest.mark.parametrize("unit", ["<!--", "</", "<a ", "&#", "<div>", "<p>中", "<"])
def test_html_parsing_time_grows_linearly(unit: str) -> None:
    """Ratios within one run (min of 3, CPU time): Python 3.11.7's html.parser is quadratic
    on <!--."""

    def seconds(n: int) -> float:
        data = (unit * (n // len(unit))).encode()
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            with contextlib.suppress(InputError):
                html_text(data, "x.html")
            best = min(best, time.process_time() - start)
        return best

    assert seconds(400_000) / max(seconds(40_000), 1e-4) < 50


@pytest.mark.parametrize(
    ("head", "unit", "tail"),
    [
        ("a", " ", "x"),  # closing-hash pattern: was quadratic (320 s for 200,000 blanks)
        ("", " #", "x"),
        ("", "[", ""),
        ("", "[x](", ""),
        ("", "- ", "x"),
        ("", "*", "x"),
    ],
)
def test_markdown_time_grows_linearly(head: str, unit: str, tail: str) -> None:
    """Ratios within one run (min of 5): a line of 40,000 characters against 400,000.

    Linear time gives about 10, quadratic 100; the bound of 50 leaves room for a loaded
    machine (a busy CI measured 40 once for a linear pattern, in wall time; CPU time, used
    now, leaves out the other processes)."""

    def seconds(n: int) -> float:
        text = head + unit * (n // len(unit)) + tail
        best = float("inf")
        for _ in range(5):
            start = time.process_time()
            markdown_text(text)
            best = min(best, time.process_time() - start)
        return best

    assert seconds(400_000) / max(seconds(40_000), 1e-4) < 50
