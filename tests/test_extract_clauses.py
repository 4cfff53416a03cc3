"""Problems and targets (extract/clauses.py)."""

from __future__ import annotations

import pytest

from policykg.extract.clauses import ProblemFact, TargetFact, find_problems, find_targets
from policykg.extract.structure import find_structure
from policykg.extract.textview import make_view


def analyse(text: str) -> tuple[list[ProblemFact], list[TargetFact]]:
    view = make_view(text)
    structure = find_structure(text, view)
    return find_problems(view, structure), find_targets(view, structure)


def problems(text: str) -> list[tuple[str, str, list[int]]]:
    return [(text[p.span.start : p.span.end], p.rule, p.parents) for p in analyse(text)[0]]


def targets(text: str) -> list[tuple[str, str, dict[str, str]]]:
    return [(text[t.span.start : t.span.end], t.rule, t.attributes) for t in analyse(text)[1]]


def test_plain_problem_list_groups_lead_clause_first() -> None:
    text = (
        "同时，我们也清醒地看到还存在一些问题和短板。主要是：经济内生增长动力依然不强，"
        "产业基础仍然薄弱；可用财力不足，刚性支出持续增长，等等。对此，我们将认真加以解决。\n"
    )
    assert problems(text) == [
        ("经济内生增长动力依然不强", "problem.list-item", []),
        ("产业基础仍然薄弱", "problem.list-item", [0]),
        ("可用财力不足", "problem.list-item", []),
        ("刚性支出持续增长", "problem.list-item", [2]),
    ]


def test_enumerated_problem_list_keeps_only_marked_clauses() -> None:
    text = (
        "还存在一些问题和不足：\n"
        "一是在学深悟透上还需下功夫。主要表现为：一些单位偏重学习次数，主要依托会议进行学习，"
        "个人自学还不够主动。\n"
    )
    assert problems(text) == [
        ("在学深悟透上还需下功夫", "problem.list-heading", []),
        ("一些单位偏重学习次数", "problem.list-item", [0]),
        ("个人自学还不够主动", "problem.list-item", [0]),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "当前疫情防控形势仍然严峻复杂。\n",
            [("疫情防控形势仍然严峻复杂", "problem.marker-clause", [])],
        ),
        # 有的… opens a scolded group's deeds; a quotation mark stays with its partner
        (
            "有的遇事“打太极”，遇到问题绕道走。\n",
            [
                ("遇事“打太极”", "problem.marker-clause", []),
                ("遇到问题绕道走", "problem.marker-clause", [0]),
            ],
        ),
        # the object of a remedy is a problem when it names one
        ("要克服思维惯性。\n", [("思维惯性", "problem.remedy-object", [])]),
        ("驰而不息整治“四风”。\n", [("四风", "problem.remedy-object", [])]),
        (
            "抓好餐饮油烟、扬尘和机动车尾气污染防治。\n",
            [("餐饮油烟、扬尘和机动车尾气污染", "problem.remedy-object", [])],
        ),
        (
            "16项中央环保督察反馈问题已整改完成7项。\n",
            [("中央环保督察反馈问题", "problem.feedback", [])],
        ),
        # an instruction is no finding, and a vague object is no problem
        ("要进一步提高政治站位。\n", []),
        ("要帮助企业解决实际困难。\n", []),
    ],
)
def test_problems_outside_lists(text: str, expected: list[tuple[str, str, list[int]]]) -> None:
    assert problems(text) == expected


def test_targets_of_a_plan() -> None:
    text = (
        "一、工作安排\n（一）抓好经济\n"
        "经济社会发展的主要预期目标是：地区生产总值增长3.5%左右。固定资产投资扭转下滑态势，实现正增长。\n"
        "全力确保空气优良天数达到350天，坚决守住不发生系统性风险的底线。确保重大森林火灾零发生。\n"
    )
    assert targets(text) == [
        (
            "地区生产总值增长3.5%左右",
            "target.goal-list",
            {"value": "3.5", "unit": "%", "comparator": "about"},
        ),
        ("固定资产投资扭转下滑态势，实现正增长", "target.goal-list", {}),
        ("空气优良天数达到350天", "target.numeric", {"value": "350", "unit": "天"}),
        ("不发生系统性风险", "target.no-risk", {}),
        ("重大森林火灾零发生", "target.zero", {"comparator": "zero"}),
    ]


def test_no_targets_from_a_review_or_from_past_results() -> None:
    text = (
        "一、2018年工作回顾\n全年新增就业1万人以上。\n"
        "二、2019年工作安排\n（一）抓好经济\n全年地区生产总值同比增长6.0%。新建特色产业基地7万亩以上。\n"
    )
    assert targets(text) == [
        (
            "新建特色产业基地7万亩以上",
            "target.numeric",
            {"value": "7", "unit": "万亩", "comparator": "atLeast"},
        )
    ]


def test_counted_objects_and_rates_are_targets_but_counts_of_contents_are_not() -> None:
    text = (
        "一、工作安排\n（一）抓好城市\n"
        "实施30项市级疏堵工程，打通50条断头路，单位产值事故死亡率控制在0.6人/百亿元以下。"
        "地区生产总值年均增速4.5%-5%。以厕所革命、村庄清洁行动等6项内容为重点。"
        "实施教育信息化2.0行动计划，率先启用2个智慧应用。\n"
    )
    assert targets(text) == [
        ("实施30项市级疏堵工程", "target.numeric", {"value": "30", "unit": "项"}),
        ("打通50条断头路", "target.numeric", {"value": "50", "unit": "条"}),
        (
            "单位产值事故死亡率控制在0.6人/百亿元以下",
            "target.numeric",
            {"value": "0.6", "unit": "人/百亿元", "comparator": "below"},
        ),
        ("地区生产总值年均增速4.5%-5%", "target.numeric", {"value": "4.5", "unit": "%"}),
    ]


def test_goal_list_of_enumerated_and_comma_separated_goals() -> None:
    text = (
        "二、“十四五”时期发展成就和“十五五”时期主要目标任务\n"
        "这五年，我们新增就业50万人以上。\n"
        "“十五五”时期是关键时期。纲要明确了今后五年的发展目标：一是首都功能持续提升，"
        "二是高质量发展迈上新台阶，三是全面深化改革取得新突破。\n"
        "在此基础上再奋斗五年，到2035年实现综合实力大幅提升，城乡区域发展更加均衡，"
        "人民生活更加幸福美好。\n"
    )
    assert [t[:2] for t in targets(text)] == [
        ("首都功能持续提升", "target.goal-list"),
        ("高质量发展迈上新台阶", "target.goal-list"),
        ("全面深化改革取得新突破", "target.goal-list"),
    ]


def test_dash_goals_after_a_goal_paragraph() -> None:
    text = (
        "一、今后五年的奋斗目标和主要任务\n"
        "奋斗目标：在高质量发展中实现共同富裕先行。\n"
        "——高水平建设现代化经济体系，打造高质量发展高地。全省地区生产总值达到12万亿元。\n"
        "——高水平推进数字化改革，打造数字变革高地。\n"
    )
    assert targets(text) == [
        ("在高质量发展中实现共同富裕先行", "target.goal-list", {}),
        ("高水平建设现代化经济体系，打造高质量发展高地", "target.dash-goal", {}),
        ("全省地区生产总值达到12万亿元", "target.numeric", {"value": "12", "unit": "万亿元"}),
        ("高水平推进数字化改革，打造数字变革高地", "target.dash-goal", {}),
    ]


def test_a_count_of_problems_is_a_problem_not_a_target() -> None:
    text = (
        "一、工作安排\n（一）抓好治理\n"
        "专项治理农村供水保障等13个高频共性难题，以厕所革命等6项内容为重点。\n"
    )
    assert targets(text) == []
    assert problems(text) == [
        ("农村供水保障等13个高频共性难题", "problem.remedy-object", []),
    ]
