"""Relation rules (extract/relations.py), each on a short text that shows it."""

from __future__ import annotations

import pytest

from policykg.extract import extract_text


def facts(text: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]:
    x = extract_text(text, "t.txt")
    entities = [(e.id, str(e.type), e.label) for e in x.entities]
    relations = [(r.head, str(r.type), r.tail, r.rule) for r in x.relations]
    return entities, relations


def test_implements_active_passive_and_not_context_or_planning() -> None:
    entities, relations = facts(
        "二、2019年工作安排\n（一）围绕乡村振兴战略，建设美丽乡村\n"
        "随着国家乡村振兴战略深入实施，研究制定碳排放达峰行动方案。河长制全面推行。\n"
    )
    assert entities == [
        ("e1", "Task", "围绕乡村振兴战略，建设美丽乡村"),
        ("e2", "Strategy", "乡村振兴战略"),
        ("e3", "Policy", "碳排放达峰行动方案"),
        ("e4", "Policy", "河长制"),
    ]
    assert [r for r in relations if r[1] == "implements"] == [
        ("e1", "implements", "e2", "rel.implements.task-trigger"),
        ("e1", "implements", "e4", "rel.implements.task-trigger"),
    ]


def test_subject_body_implements() -> None:
    assert facts("各县区坚定以习近平新时代中国特色社会主义思想为指导。\n")[1] == [
        ("e1", "implements", "e2", "rel.implements.subject-trigger")
    ]


def test_denied_implementing_is_no_relation() -> None:
    entities, relations = facts(
        "各县区没有落实河长制。各县区落实河长制不到位。各县区落实河长制。\n"
    )
    assert entities == [
        ("e1", "Organization", "各县区"),
        ("e2", "Policy", "河长制"),
        ("e3", "Problem", "各县区落实河长制不到位"),
    ]
    assert relations == [
        ("e3", "concerns", "e1", "rel.concerns.problem-text"),
        ("e3", "concerns", "e2", "rel.concerns.problem-text"),
        ("e1", "implements", "e2", "rel.implements.subject-trigger"),
    ]
    x = extract_text("各县区没有落实河长制。各县区落实河长制不到位。各县区落实河长制。\n", "t.txt")
    assert x.relations[2].evidence.text == "各县区落实河长制。"
    assert facts("各县区没有落实河长制。\n")[1] == []


def test_problem_list_closer_addresses_the_listed_problems() -> None:
    entities, relations = facts(
        "一、抓好整改\n还存在一些问题和不足：\n一是在学深悟透上还需下功夫。\n"
        "二是形式主义、官僚主义在个别地方仍然较为突出。\n这些问题必须引起高度重视，认真加以解决。\n"
    )
    assert entities == [
        ("e1", "Task", "抓好整改"),
        ("e2", "Problem", "在学深悟透上还需下功夫"),
        ("e3", "Problem", "形式主义、官僚主义在个别地方仍然较为突出"),
    ]
    assert relations == [
        ("e1", "addresses", "e2", "rel.addresses.problem-list-closer"),
        ("e1", "addresses", "e3", "rel.addresses.problem-list-closer"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the author of a leader's instructions is that leader
        (
            "认真贯彻落实省委XX书记来XX调研指示精神。\n",
            [("e2", "proposedBy", "e1", "rel.proposedBy.named-author")],
        ),
        # a meeting named after a body is held by it, and by the body that one is part of
        (
            "市委要每年定期召开市委常委会会议。\n",
            [
                ("e2", "heldBy", "e1", "rel.heldBy.name-prefix"),
                ("e2", "heldBy", "e3", "rel.heldBy.name-prefix"),
                ("e3", "partOf", "e1", "rel.partOf.org-name"),
            ],
        ),
    ],
)
def test_authors_and_hosts(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert facts(text)[1] == expected


def test_passive_results_and_inline_items_implement() -> None:
    entities, relations = facts(
        "一、2025年工作回顾\n我代表北京市人民政府报告工作。副中心综合改革试点获国家批复。\n"
        "二、2026年工作安排\n（一）抓好发展\n纲要部署了任务举措：一是深化对外交流，落实河长制；二是繁荣首都文化。\n"
    )
    assert [r for r in relations if r[1] == "implements"] == [
        ("e1", "implements", "e2", "rel.implements.speaker-trigger"),
        ("e4", "implements", "e5", "rel.implements.task-trigger"),
    ]
    assert [e[2] for e in entities[:5]] == [
        "北京市人民政府",
        "副中心综合改革试点",
        "抓好发展",
        "深化对外交流，落实河长制",
        "河长制",
    ]
