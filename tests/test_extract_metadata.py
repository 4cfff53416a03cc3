"""Header metadata (extract/metadata.py)."""

from __future__ import annotations

import pytest

from policykg.extract.metadata import document_metadata, document_place
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
        "spatial": "呼伦贝尔市海拉尔区",
    }


def test_speech_without_header() -> None:
    text = "同志们：\n今天，我们召开会议。\n"
    assert document_metadata(text, make_view(text)) == {}


@pytest.mark.parametrize(
    ("header", "place"),
    [
        ("——2026年1月25日在北京市第十六届人民代表大会第四次会议上\n北京市市长 殷勇\n", "北京市"),
        ("现在，我代表中国共产党浙江省第十四届委员会向大会作报告。", "浙江省"),
        ("我代表北京市人民政府，向大会报告", "北京市"),
        ("内蒙古自治区呼伦贝尔市海拉尔区人民政府代区长", "内蒙古自治区呼伦贝尔市海拉尔区"),
        ("XX市委书记在XX市委常委会上的讲话", ""),
        ("在城市工作会议上", ""),
    ],
)
def test_document_place(header: str, place: str) -> None:
    assert document_place(header) == place
