"""Regenerate tests/data/formats/: one short speech in every document format policykg reads.

Run by hand, from the repository root, with python-docx (a dependency) and fpdf2 installed
(``pip install fpdf2``) and the WenQuanYi Micro Hei font (Debian: fonts-wqy-microhei), whose
glyphs the PDFs embed (subset; the font is Apache-2.0 / GPLv3 with font exception)::

    python tests/data/make_format_fixtures.py

Every file holds the text of ``speech.txt``: the tests check that reading each gives that
text exactly, and so the same extraction. ``wrapped.pdf`` holds one long paragraph that the
PDF wraps over several lines (read back as one line); ``scan.pdf`` has a page with no text
layer, only a drawing.
"""

from __future__ import annotations

import html
import sys
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).with_name("formats")
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
#: The date the files say they were made (so that they come out the same every time).
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)

#: The speech of every fixture: a greeting, a heading, enumerated tasks, a target.
SPEECH = (
    "同志们：\n"
    "今天，我们召开市委常委会（扩大）会议。在此，我代表市委，向同志们表示感谢。\n"
    "一、坚持学用结合，推动党中央决策部署落地见效\n"
    "一要着力推动经济高质量发展。市委经济工作会议确定了全年经济增长8.0%以上的目标。"
    "要深入实施乡村振兴战略，要克服思维惯性。\n"
    "二要持续用力抓好生态建设。习近平总书记强调，“要牢固树立绿水青山就是金山银山的理念”。"
    "坚决打赢污染防治攻坚战。\n"
)
#: One paragraph longer than a PDF line.
WRAPPED = (
    "今年是全面贯彻落实党的二十大精神的开局之年，我们要坚持稳中求进工作总基调，完整、准确、"
    "全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展，深入实施乡村振兴战略和"
    "区域协调发展战略，统筹发展和安全，全力以赴拼经济、促发展、惠民生、保稳定，确保全年"
    "地区生产总值增长6%以上。\n"
)


def lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def markdown() -> str:
    """The speech as Markdown: a title heading, the section as a heading, emphasis, a link."""
    greeting, opening, heading, first, second = lines(SPEECH)
    first = first.replace("乡村振兴战略", "**乡村振兴战略**")
    second = second.replace("污染防治攻坚战", "[污染防治攻坚战](https://example.org/a)")
    return f"{greeting}\n\n{opening}\n\n## {heading}\n\n- {first}\n- {second}\n"


def html_page() -> bytes:
    """The speech as a GBK page that declares gb2312, with a script, a style and a comment."""
    greeting, opening, heading, first, second = (html.escape(line) for line in lines(SPEECH))
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="gb2312"><title>讲话</title>'
        "<style>p { color: red; }</style></head>\n<body>\n"
        f"<p>{greeting}</p>\n<div>{opening}<!-- 注释 --></div>\n<h2>{heading}</h2>\n"
        f"<ul><li>{first}</li>\n<li>{second.replace('坚决', '<b>坚决</b>')}</li></ul>\n"
        '<script>document.write("<p>不是正文</p>");</script>\n</body></html>\n'
    )
    return page.encode("gbk")


def word(path: Path) -> None:
    import docx

    document = docx.Document()
    for line in lines(SPEECH)[:2]:
        document.add_paragraph(line)
    document.add_heading(lines(SPEECH)[2], level=1)
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text = lines(SPEECH)[3]
    table.cell(1, 0).text = lines(SPEECH)[4]
    document.core_properties.created = FIXED_DATE
    document.core_properties.modified = FIXED_DATE
    document.save(str(path))


def pdf(path: Path, text: str | None) -> None:
    from fpdf import FPDF

    document = FPDF()
    document.set_creation_date(FIXED_DATE)
    document.add_page()
    if text is None:
        document.rect(20, 20, 100, 60, style="F")  # a page that is only a picture
    else:
        document.add_font("wqy", "", str(FONT))
        document.set_font("wqy", size=11)
        document.multi_cell(0, 6, text.rstrip("\n"))
    document.output(str(path))


def main() -> int:
    OUT.mkdir(exist_ok=True)
    (OUT / "speech.txt").write_text(SPEECH, encoding="utf-8")
    (OUT / "speech.md").write_text(markdown(), encoding="utf-8")
    (OUT / "speech.html").write_bytes(html_page())
    word(OUT / "speech.docx")
    pdf(OUT / "speech.pdf", SPEECH)
    pdf(OUT / "wrapped.pdf", WRAPPED)
    pdf(OUT / "scan.pdf", None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
