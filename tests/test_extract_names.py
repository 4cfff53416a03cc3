"""Named mentions: lexicon hits, pattern rules, overlap resolution (extract/names.py)."""

from __future__ import annotations

import pytest

from policykg.extract.names import Candidate, extend_place, find_names, resolve_overlaps
from policykg.extract.schema import EntityType
from policykg.extract.textview import make_view

E = EntityType


def names(text: str) -> list[tuple[str, str, str]]:
    view = make_view(text)
    return [(text[c.start : c.end], str(c.type), c.rule) for c in find_names(text, view)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("要深入实施乡村振兴战略。", [("乡村振兴战略", "Strategy", "lexicon.Strategy")]),
        ("积极融入“一带一路”建设。", [("“一带一路”建设", "Strategy", "lexicon.Strategy")]),
        # OCR confusion 夹/央: the label keeps the typo
        ("坚决落实党中夹决策部署。", [("党中夹", "Organization", "lexicon.Organization")]),
        (
            "我代表北京市人民政府向大会报告工作。",
            [("北京市人民政府", "Organization", "org.admin-body")],
        ),
        ("我代表区人民政府向大会报告工作。", [("区人民政府", "Organization", "org.admin-body")]),
        (
            "呼伦贝尔市海拉尔区人民政府代区长  萨国文",
            [
                ("呼伦贝尔市海拉尔区人民政府", "Organization", "org.admin-body"),
                ("萨国文", "Person", "person.header-speaker"),
            ],
        ),
        (
            "实施国企改革三年行动，推进国家低碳试点城市和气候适应型试点城市建设。",
            [
                ("国企改革三年行动", "Policy", "lexicon.Policy"),
                ("国家低碳试点城市", "Policy", "lexicon.Policy"),
                ("气候适应型试点城市", "Policy", "lexicon.Policy"),
            ],
        ),
        (
            "认真贯彻落实省委XX 书记来XX 调研指示精神。",
            [
                ("省委XX 书记来XX 调研指示精神", "Principle", "principle.leader-instructions"),
                ("省委XX 书记", "Person", "person.anonymised"),
            ],
        ),
        (
            "市委召开了农村工作会，明确提出坚持用乡村振兴统揽新发展阶段“三农”工作。",
            [
                ("市委", "Organization", "org.admin-body"),
                ("农村工作会", "Event", "event.meeting"),
                ("用乡村振兴统揽新发展阶段“三农”工作", "Policy", "policy.proposed-object"),
            ],
        ),
        (
            "抓好城市供水价格、户籍制度、农村宅基地承包地“三权分置”等重点改革事项。",
            [
                ("城市供水价格", "Policy", "policy.listed-items"),
                ("户籍制度", "Policy", "lexicon.Policy"),
                ("农村宅基地承包地“三权分置”", "Policy", "policy.listed-items"),
            ],
        ),
        (
            "聚焦党的十九届六中全会、省委十一届十次全会明确的重大战略。",
            [
                ("党的十九届六中全会", "Event", "lexicon.Event"),
                ("省委十一届十次全会", "Event", "event.local-plenum"),
                ("省委", "Organization", "org.admin-body"),
            ],
        ),
        (
            "全面贯彻党的十九大和十九届二中、三中全会精神。",
            [
                ("党的十九大和十九届二中、三中全会精神", "Principle", "principle.meeting-spirit"),
                ("党的十九大", "Event", "lexicon.Event"),
                ("十九届二中、三中全会", "Event", "event.central-plenum"),
            ],
        ),
        (
            "开展公款旅游等9个方面的专项整治。",
            [("公款旅游等9个方面的专项整治", "Policy", "policy.counted-campaign")],
        ),
        (
            "严格落实“外防输入、内防反弹”“人物同防”各项举措。",
            [
                ("外防输入、内防反弹", "Policy", "lexicon.Policy"),
                ("人物同防", "Policy", "policy.quoted"),
            ],
        ),
        (
            "结合开展向XX间志学习活动。",
            [
                ("向XX间志学习活动", "Policy", "policy.learning-campaign"),
                ("XX间志", "Person", "person.anonymised"),
            ],
        ),
        (
            "制发《政府重大决策出台前向人大及其常委会报告工作制度》。",
            [
                (
                    "政府重大决策出台前向人大及其常委会报告工作制度",
                    "Policy",
                    "policy.titled-document",
                )
            ],
        ),
        # a quoted stretch inside a name is passed over when finding its left edge
        ("实施“生态圈”植被恢复工程。", [("“生态圈”植被恢复工程", "Policy", "policy.programme")]),
        # a head word running on into another word heads no name
        ("既是一次政治对标，更是一次行动宣示。", []),
        # a rhetorical quotation without any policy cue is no policy
        ("一季度“开门红”告一段落。", []),
        # a rule's own left stops: the verb before a positioning is not part of it
        (
            "加快建设全球数字经济标杆城市，提升国际科技创新中心能级。",
            [
                ("全球数字经济标杆城市", "Strategy", "strategy.positioning"),
                ("国际科技创新中心", "Strategy", "strategy.positioning"),
            ],
        ),
        (
            "实施北京城市副中心条例，共建国家城乡融合发展试验区。",
            [
                ("北京城市副中心条例", "Policy", "policy.programme"),
                ("国家城乡融合发展试验区", "Policy", "policy.programme"),
            ],
        ),
        ("建设社区卫生服务中心。", []),
        ("确保“十五五”开好局。", []),
        # a name may be the subject of a verb; zones may be followed by 建设
        (
            "公平竞争审查制度实现全覆盖，加快中关村科创金融改革试验区建设，优化生态保护补偿机制。",
            [
                ("公平竞争审查制度", "Policy", "policy.programme"),
                ("中关村科创金融改革试验区", "Policy", "policy.programme"),
                ("生态保护补偿机制", "Policy", "policy.programme"),
            ],
        ),
        ("完善协调机制，推动轨道交通规划建设。", []),
        ("办好北京国际电影节。", [("北京国际电影节", "Event", "event.meeting")]),
        (
            "深化平安海拉尔、法治海拉尔建设，促进经济平稳健康发展。",
            [
                ("平安海拉尔", "Policy", "policy.place-brand"),
                ("法治海拉尔", "Policy", "policy.place-brand"),
            ],
        ),
    ],
)
def test_find_names(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("我代表北京市人民政府", 5, 3),  # 北京 is a known place
        ("我代表区人民政府", 3, 3),  # nothing but function words to the left
        ("呼伦贝尔市海拉尔区人民政府", 8, 0),  # a chain of units is a place
        ("落实市委决策", 2, 2),  # a verb is no place
    ],
)
def test_extend_place(text: str, start: int, expected: int) -> None:
    assert extend_place(make_view(text), start) == expected


def test_resolve_overlaps_keeps_allowed_nesting_only() -> None:
    event = Candidate(0, 10, E.EVENT, "event.meeting", 5)
    org = Candidate(0, 2, E.ORGANIZATION, "org.admin-body", 2)
    policy = Candidate(3, 6, E.POLICY, "policy.quoted", 3)
    fragment = Candidate(4, 10, E.EVENT, "event.meeting", 5)
    kept = resolve_overlaps([policy, org, event, fragment])
    assert kept == [event, org]


def test_resolve_overlaps_prefers_lower_priority_number_on_same_span() -> None:
    lexicon = Candidate(0, 4, E.POLICY, "lexicon.Policy", 0)
    suffix = Candidate(0, 4, E.POLICY, "policy.programme", 5)
    assert resolve_overlaps([suffix, lexicon]) == [lexicon]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an opening mark inside a lexicon match brings its closing one along
        ("坚持和发展新时代“枫桥经验”。", [("新时代“枫桥经验”", "Policy", "lexicon.Policy")]),
        # a count after 等 is not part of a listed name (杜家坎等3 is no name)
        ("实施杜家坎等30项市级疏堵工程。", []),
    ],
)
def test_find_names_edges(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert names(text) == expected
