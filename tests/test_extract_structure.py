"""Document structure: headings, enumerated tasks, lead sentences, problem lists."""

from __future__ import annotations

from policykg.extract.structure import Structure, find_structure
from policykg.extract.textview import make_view

SPEECH = (
    "同志们：\n"
    "今天我们开会。第一，这是考虑。\n"
    "一、认真盘点梳理，增强政治自觉\n"
    "我们取得了成绩。还存在一些问题和不足：\n"
    "一是在学深悟透上还需下功夫。主要表现为：一些单位偏重学习次数，个人自学还不够主动。\n"
    "二是在贯彻落实上还需下功夫。\n"
    "这些问题必须引起高度重视。\n"
    "二、坚持学用结合\n"
    "这里，我再强调几点：\n"
    "一要慎终如始抓好疫情防控。要严格落实各项举措。\n"
    "二要着力推动经济高质量发展。\n"
    "同志们，让我们努力奋斗！\n"
)

REPORT = (
    "政府工作报告\n"
    "一、2025年工作回顾\n"
    "（一）经济稳中向好。全年增长6%。\n"
    "二、2026年工作安排\n"
    "（一）围绕乡村振兴，建设美丽乡村\n"
    "坚持农业农村优先发展，推动农民增收。加快发展现代农业。继续优化种植结构，大力发展设施农业。"
    "改善农村人居环境。推进厕所革命。\n"
    "大力提振消费。研究制定增收政策。\n"
)


def structure(text: str) -> Structure:
    return find_structure(text, make_view(text))


def titles(text: str, s: Structure) -> list[tuple[str, int | None, str, str]]:
    return [(text[t.title.start : t.title.end], t.parent, t.rule, t.modality) for t in s.tasks]


def test_speech_tasks_headings_and_enumerations() -> None:
    s = structure(SPEECH)
    assert titles(SPEECH, s) == [
        ("认真盘点梳理，增强政治自觉", None, "structure.heading-1-task", ""),
        ("坚持学用结合", None, "structure.heading-1-task", ""),
        ("慎终如始抓好疫情防控", 1, "structure.enum-yao-task", "要"),
        ("着力推动经济高质量发展", 1, "structure.enum-yao-task", "要"),
    ]
    # 第一，… before the first heading gives reasons, not tasks; the closing belongs to none
    assert s.closing is not None
    assert SPEECH[s.closing.start : s.closing.end] == "同志们，让我们努力奋斗！"
    first, second = s.tasks[2], s.tasks[3]
    assert SPEECH[first.scope.start : first.scope.end] == (
        "一要慎终如始抓好疫情防控。要严格落实各项举措。\n"
    )
    assert second.scope.end == s.closing.start


def test_speech_problem_list() -> None:
    s = structure(SPEECH)
    [block] = s.problem_blocks
    assert SPEECH[block.opener.start : block.opener.end] == "还存在一些问题和不足："
    assert block.closer is not None
    assert SPEECH[block.closer.start : block.closer.end] == "这些问题必须引起高度重视。"
    assert block.enumerated
    items = [
        (
            SPEECH[i.heading.start : i.heading.end] if i.heading else None,
            [SPEECH[d.start : d.end] for d in i.details],
        )
        for i in block.items
    ]
    assert items == [
        ("在学深悟透上还需下功夫", ["一些单位偏重学习次数，个人自学还不够主动。"]),
        ("在贯彻落实上还需下功夫", []),
    ]
    # 一是… items of a problem list are not tasks
    assert all("下功夫" not in SPEECH[t.title.start : t.title.end] for t in s.tasks)


def test_report_review_section_and_lead_sentences() -> None:
    s = structure(REPORT)
    assert [REPORT[r.start : r.end] for r in s.review] == [
        "一、2025年工作回顾\n（一）经济稳中向好。全年增长6%。\n"
    ]
    assert titles(REPORT, s) == [
        ("围绕乡村振兴，建设美丽乡村", None, "structure.heading-2-task", ""),
        ("加快发展现代农业", 0, "structure.lead-sentence-task", ""),
        ("改善农村人居环境", 0, "structure.lead-sentence-task", ""),
        ("大力提振消费", 0, "structure.lead-sentence-task", ""),
    ]
    # the speaker deploys headings, not lead sentences
    assert [t.deployed for t in s.tasks] == [True, False, False, False]


def test_task_at_and_in_review() -> None:
    s = structure(REPORT)
    assert s.in_review(REPORT.index("经济稳中向好"))
    assert not s.in_review(REPORT.index("大力提振消费"))
    assert s.task_at(REPORT.index("推进厕所革命")) == 2
    assert s.task_at(REPORT.index("经济稳中向好")) is None


def test_seed_speech_has_the_fourteen_tasks(seed_speech: object) -> None:
    from pathlib import Path

    text = Path(str(seed_speech)).read_text(encoding="utf-8")
    s = structure(text)
    assert len(s.tasks) == 14
    assert [text[t.title.start : t.title.end] for t in s.tasks][2:4] == [
        "慎终如始抓好疫情防控",
        "着力推动经济高质量发展",
    ]


def test_sequence_words_enumerate_inside_a_headed_body() -> None:
    text = "一、抓好落实\n首先，要提高政治站位。其次，要狠抓工作落实。\n"
    s = structure(text)
    assert titles(text, s) == [
        ("抓好落实", None, "structure.heading-1-task", ""),
        ("提高政治站位", 0, "structure.enum-sequence-task", "要"),
        ("狠抓工作落实", 0, "structure.enum-sequence-task", "要"),
    ]


def test_sequence_words_without_headings_are_no_tasks() -> None:
    text = "同志们：\n首先，我讲三点意见。其次，大家要认真落实。\n"
    assert structure(text).tasks == []


def test_enumeration_inside_a_sentence_after_a_colon_or_semicolon() -> None:
    text = (
        "一、抓好落实\n"
        "今年要重点抓好三项工作：一是抓好项目建设，确保投资增长；二是狠抓招商引资；三是强化要素保障。\n"
    )
    s = structure(text)
    assert titles(text, s) == [
        ("抓好落实", None, "structure.heading-1-task", ""),
        ("抓好项目建设，确保投资增长", 0, "structure.enum-shi-task", ""),
        ("狠抓招商引资", 0, "structure.enum-shi-task", ""),
        ("强化要素保障", 0, "structure.enum-shi-task", ""),
    ]


def test_modal_words_are_kept_as_modality() -> None:
    text = (
        "一、严明纪律\n这里强调几点：\n"
        "一要严禁违规举债。\n二要必须坚决守住安全底线。\n三要务必加强作风建设。\n"
    )
    assert titles(text, structure(text)) == [
        ("严明纪律", None, "structure.heading-1-task", ""),
        ("严禁违规举债", 0, "structure.enum-yao-task", "严禁"),
        ("坚决守住安全底线", 0, "structure.enum-yao-task", "必须"),
        ("加强作风建设", 0, "structure.enum-yao-task", "务必"),
    ]


def test_mixed_review_heading_reviews_only_up_to_the_plan_period() -> None:
    text = (
        "二、“十四五”时期发展成就和“十五五”时期主要目标任务\n"
        "这五年，我们取得了成绩。\n"
        "“十五五”时期是关键时期。纲要明确了发展目标：一是首都功能持续提升，二是发展迈上新台阶。\n"
        "纲要部署了任务举措：一是坚守职责使命，全力服务保障政治中心功能；二是繁荣首都文化。\n"
    )
    s = structure(text)
    assert [text[r.start : r.end] for r in s.review] == [
        "二、“十四五”时期发展成就和“十五五”时期主要目标任务\n这五年，我们取得了成绩。\n"
    ]
    assert titles(text, s) == [
        ("坚守职责使命，全力服务保障政治中心功能", None, "structure.enum-shi-task", ""),
        ("繁荣首都文化", None, "structure.enum-shi-task", ""),
    ]


def test_lead_sentence_may_quote_a_name_when_it_opens_a_paragraph() -> None:
    text = (
        "二、2026年工作安排\n（一）深入落实城市总体规划\n"
        "坚持首都城市战略定位，加快建设现代化首都都市圈。\n"
        "推动“新两翼”联动发展。服务保障项目向雄安疏解。\n"
        "打造都市圈。促进通勤圈一体发展。\n"
    )
    assert [t[0] for t in titles(text, structure(text))] == [
        "深入落实城市总体规划",
        "推动“新两翼”联动发展",
        "打造都市圈",
    ]


def test_dash_lists_are_goals_after_a_goal_paragraph_and_tasks_elsewhere() -> None:
    text = (
        "一、今后五年的奋斗目标和主要任务\n"
        "奋斗目标：在高质量发展中实现共同富裕先行。\n"
        "——高水平建设现代化经济体系，打造高质量发展高地。全省地区生产总值达到12万亿元。\n"
        "——高水平推进数字化改革，打造数字变革高地。\n"
        "二、加强党的建设\n"
        "我们要抓好以下工作。\n"
        "——全面加强党的政治建设。\n"
        "——一刻不停推进反腐败斗争。\n"
    )
    s = structure(text)
    assert [text[g.start : g.end][:12] for g in s.goal_items] == [
        "——高水平建设现代化经济",
        "——高水平推进数字化改革",
    ]
    assert titles(text, s) == [  # 奋斗目标 names a part of the document, not a task
        ("加强党的建设", None, "structure.heading-1-task", ""),
        ("全面加强党的政治建设", 0, "structure.enum-dash-task", ""),
        ("一刻不停推进反腐败斗争", 0, "structure.enum-dash-task", ""),
    ]


def test_an_inline_enumeration_ends_with_its_paragraph() -> None:
    text = (
        "一、总体要求\n（一）编制纲要\n"
        "编制中注意把握以下几点：一是注重对标对表；二是坚持目标导向和问题导向。\n"
        "纲要明确了今后五年的发展目标。\n"
    )
    s = structure(text)
    assert [
        (text[t.title.start : t.title.end], text[t.scope.start : t.scope.end]) for t in s.tasks
    ] == [
        (
            "编制纲要",
            "（一）编制纲要\n编制中注意把握以下几点：一是注重对标对表；二是坚持目标导向和问题导向。\n纲要明确了今后五年的发展目标。\n",
        ),
        ("注重对标对表", "一是注重对标对表；"),
        ("坚持目标导向和问题导向", "二是坚持目标导向和问题导向。"),
    ]
