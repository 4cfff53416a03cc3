"""Header metadata (extract/metadata.py)."""

from __future__ import annotations

from policykg.extract.metadata import document_metadata
from policykg.extract.textview import make_view


def test_report_header() -> None:
    text = (
        "政 府 工 作 报 告\n"
        "——2019年3月4日在呼伦贝尔市海拉尔区第十五届人民代表大会第三次会议上\n"
        "呼伦贝尔市海拉尔区人民政府代区长  萨国文\n"
        "各位代表：\n"
    )
    assert document_metadata(text, make_view(text), "萨国文") == {
        "title": "政府工作报告",
        "date": "2019-03-04",
        "meeting": "呼伦贝尔市海拉尔区第十五届人民代表大会第三次会议",
        "creator": "萨国文",
    }


def test_speech_without_header() -> None:
    text = "同志们：\n今天，我们召开会议。\n"
    assert document_metadata(text, make_view(text)) == {}
