"""The named queries of graph/queries/ and the README's queries, on the graph of the seeds.

Each named query is pinned: all its rows where they are few, else the count and a few exact
rows. Every one, and every query the README shows, gives the same rows on rdflib's engine as
on Oxigraph, up to Oxigraph's documented normalisation of numbers: its store keeps values,
not lexical forms, so "8.0"^^xsd:decimal comes back as "8" and xsd:nonNegativeInteger as
xsd:integer (oxigraph/oxigraph#526).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from policykg.extract import extract_file
from policykg.graph import (
    KnowledgeGraph,
    QueryStore,
    Term,
    build_graph,
    named_queries,
    run_query_rdflib,
)
from policykg.output.results import format_result

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SPEECH = "000_e07ead4074b87c09.txt"
REPORT = "hailar_district_gov_work_report_2019.txt"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: xsd:integer and the types derived from it, which Oxigraph stores as xsd:integer.
INTEGER_TYPES = {
    XSD + name
    for name in [
        *("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger"),
        *("negativeInteger", "long", "int", "short", "byte"),
        *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
    ]
}


@pytest.fixture(scope="module")
def seeds() -> KnowledgeGraph:
    return build_graph([extract_file(SEEDS / SPEECH), extract_file(SEEDS / REPORT)])


@pytest.fixture(scope="module")
def store(seeds: KnowledgeGraph) -> QueryStore:
    return QueryStore.from_turtle(seeds.serialize())


def run(store: QueryStore, name: str) -> list[tuple[str | None, ...]]:
    result = store.query(named_queries()[name].sparql)
    assert result.kind == "select" and not result.truncated
    return result.rows


def canonical(value: str | None) -> object:
    """A value's full identity, numbers in XSD 1.1 canonical form (as Oxigraph stores them)."""
    if not isinstance(value, Term):
        return value
    if value.kind == "literal" and value.datatype in INTEGER_TYPES:
        return ("literal", str(int(value)), XSD + "integer", None)
    if value.kind == "literal" and value.datatype == XSD + "decimal":
        number = Decimal(value)
        text = str(int(number)) if number == number.to_integral() else f"{number.normalize():f}"
        return ("literal", text, XSD + "decimal", None)
    return value.key


def test_the_named_queries_and_their_descriptions() -> None:
    queries = named_queries()
    assert {name: query.description for name, query in queries.items()} == {
        "deployers": "Who deploys tasks: each body, person or meeting with how many tasks, "
        "and one of them",
        "document-names": "Strategies and policies each document names",
        "evidence": "Where each relation comes from: document, sentence with its offsets, and rule",
        "organisation-tasks": "Organisations and the tasks they are responsible for (they deploy)",
        "problem-concerns": "Each problem with what it concerns",
        "shared-strategies": "Strategies that several documents name, with how many",
        "targets": "Targets with their value, unit, comparator and year, where the text states "
        "them",
        "task-targets": "Each task with the targets it sets",
        "unaddressed-problems": "Problems that no task addresses",
    }
    for name, query in queries.items():
        assert query.name == name and query.sparql.startswith(f"# {query.description}\n")


def test_deployers(store: QueryStore) -> None:
    first = "坚持学用结合、知行合一，坚定以习近平新时代中国特色社会主义思想为指导，不折不扣推动党中央、省委决策部署落地见效"  # noqa: E501
    rows = run(store, "deployers")
    assert rows == [
        ("市委", "14", "不断深化改革扩大开放"),
        ("区人民政府", "12", "加强政府自身建设"),
        ("市委经济工作会", "2", first),
        ("市委全会", "1", first),
    ]
    assert [canonical(v) for v in rows[0]] == [
        ("literal", "市委", None, "zh"),
        ("literal", "14", XSD + "integer", None),
        ("literal", "不断深化改革扩大开放", None, "zh"),
    ]


def test_shared_strategies(store: QueryStore) -> None:
    assert run(store, "shared-strategies") == [
        ("“一带一路”建设", "2"),
        ("乡村振兴战略", "2"),
        ("改革开放", "2"),
    ]


def test_task_targets(store: QueryStore) -> None:
    assert run(store, "task-targets") == [
        ("全力化解重大风险", "不发生系统性风险"),
        ("全力化解重大风险", "完成2019年度7.89亿元政府隐性债务化解"),
        ("全力推进污染防治", "农田残膜回收率达到75%"),
        ("全力推进污染防治", "河畅、水清、岸绿、景美"),
        ("全力推进污染防治", "畜禽粪污无害化处理率达到70%"),
        ("全力推进污染防治", "空气优良天数达到350天"),
        ("围绕提升城市品质，全力补短板强基础", "创建全国文明城、国家卫生城"),
        ("在攻坚破难中抓落实", "经济增速高于全国全省平均水平"),
        ("抓好重点领域改革", "24小时“不打烊”"),
        ("着力加大有效投资力度", "完成37.8亿元的年度投资计划"),
        ("着力加大有效投资力度", "完成好65个年度重点项目建设"),
        ("着力培育壮大民营经济", "重点民营企业全覆盖"),
        ("着力推动旅游业升级", "纪念园红旅基础设施项目年内竣工"),
        ("着力推动经济高质量发展", "全年经济增长8.0%以上"),
        ("科学统筹发展和安全", "不发生系统性、区域性风险"),
        ("科学统筹发展和安全", "重大森林火灾零发生"),
        ("紧扣乡村振兴战略加快推进农业农村现代化", "新建特色产业基地7万亩以上"),
        ("让城市基础设施更完善", "投资8.6亿元"),
        ("让城市基础设施更完善", "新建24座环保式公共厕所、2座压缩式生活垃圾转运站"),
        ("让城市环境更优美", "完成800户的改造"),
    ]


def test_organisation_tasks(store: QueryStore) -> None:
    rows = run(store, "organisation-tasks")
    assert len(rows) == 26
    assert rows[:2] == [
        ("区人民政府", "加强政府自身建设"),
        ("区人民政府", "善学习，强化理性思维促发展"),
    ]
    assert rows[-1] == (
        "市委",
        "认真盘点梳理，进一步增强贯彻落实习近平总书记重要指示精神、全面落实党中央省委决策部署的"
        "政治自觉、思想自觉和行动自觉",
    )
    assert {row[0] for row in rows} == {"区人民政府", "市委"}


def test_targets_have_typed_values(store: QueryStore) -> None:
    rows = run(store, "targets")
    assert len(rows) == 25
    assert sum(1 for row in rows if row[2] is not None) == 15
    decimal, year = XSD + "decimal", XSD + "gYear"
    by_label = {row[0]: [canonical(v) for v in row] for row in rows}
    assert by_label["全年经济增长8.0%以上"] == [
        ("literal", "全年经济增长8.0%以上", None, "zh"),
        ("literal", "atLeast", None, None),
        ("literal", "8", decimal, None),
        ("literal", "%", None, None),
        None,
    ]
    assert by_label["完成2019年度7.89亿元政府隐性债务化解"][2:] == [
        ("literal", "7.89", decimal, None),
        ("literal", "亿元", None, None),
        ("literal", "2019", year, None),
    ]
    assert rows[rows.index(("重大森林火灾零发生", "zero", None, None, None))]


def test_problem_concerns(store: QueryStore) -> None:
    rows = run(store, "problem-concerns")
    assert len(rows) == 28
    assert rows[:3] == [
        ("一些党员干部思想不重视、整改不逗硬", "Event", "1月发生的工业垃圾倾倒事件"),
        ("一些党员干部思想不重视、整改不逗硬", "Principle", "习近平生态文明思想"),
        ("一些单位偏重学习次数、学习规模", "Event", "中心组学习会"),
    ]
    assert ("新旧动能转换任务繁重", "Strategy", "新旧动能转换") in rows


def test_document_names(store: QueryStore) -> None:
    rows = run(store, "document-names")
    assert len(rows) == 178
    assert sum(1 for row in rows if row[1] == "Strategy") == 28
    assert {row[0] for row in rows} == {SPEECH, REPORT}
    assert rows[:2] == [
        (SPEECH, "Policy", "“一区两带七集群”建设"),
        (SPEECH, "Policy", "中央八项规定精神"),
    ]
    assert (SPEECH, "Strategy", "乡村振兴战略") in rows and (
        REPORT,
        "Strategy",
        "乡村振兴战略",
    ) in rows


def test_evidence(store: QueryStore) -> None:
    rows = run(store, "evidence")
    assert len(rows) == 733
    row = next(r for r in rows if r[1:4] == ("紧扣乡村振兴战略加快推进农业农村现代化", "implements", "乡村建设行动"))  # fmt: skip  # noqa: E501
    assert row[:7] == (SPEECH, row[1], "implements", "乡村建设行动", "rel.implements.task-trigger", "3418", "3534")  # fmt: skip  # noqa: E501
    text = (SEEDS / SPEECH).read_text(encoding="utf-8")
    assert row[7] == text[3418:3534]
    assert all(r[7] == text[int(r[5] or 0) : int(r[6] or 0)] for r in rows if r[0] == SPEECH)


def test_unaddressed_problems(store: QueryStore) -> None:
    rows = run(store, "unaddressed-problems")
    assert len(rows) == 69
    assert rows[:2] == [("XX与发达地区的差距", SPEECH), ("XX茶管护水平还有待提升", SPEECH)]
    addressed = store.query(
        "SELECT DISTINCT ?p WHERE { ?t pkg:addresses ?x . ?x skos:prefLabel ?p }"
    )
    assert not {row[0] for row in rows} & {row[0] for row in addressed.rows}


# -- rdflib and Oxigraph agree; the README shows real output ----------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")
#: The queries the README runs: policykg query out/graph.ttl 'SPARQL' or --named NAME.
README_QUERIES = re.findall(r"^    policykg query out/graph\.ttl '(.+?)'\n", README, re.M | re.S)
README_NAMED: list[tuple[str, str, str]] = re.findall(
    r"^    (?:\$ )?policykg query out/graph\.ttl (--named ([\w-]+)(?: --format (\w+))?)\n",
    README,
    re.M,
)


def test_readme_runs_queries() -> None:
    assert len(README_QUERIES) >= 1 and len(README_NAMED) >= 5
    assert {name for _, name, _ in README_NAMED} <= set(named_queries())


@pytest.mark.parametrize(
    "sparql",
    [*(q.sparql for q in named_queries().values()), *README_QUERIES],
    ids=[*named_queries(), *(f"readme-{i}" for i in range(len(README_QUERIES)))],
)
def test_rdflib_and_oxigraph_give_the_same_rows(
    seeds: KnowledgeGraph, store: QueryStore, sparql: str
) -> None:
    oxigraph, rdflib = store.query(sparql), run_query_rdflib(seeds, sparql)
    assert oxigraph.variables == rdflib.variables
    assert oxigraph.rows, "a query that finds nothing compares nothing"
    canon = [[canonical(v) for v in row] for row in oxigraph.rows]
    assert canon == [[canonical(v) for v in row] for row in rdflib.rows]


@pytest.mark.parametrize(("args", "name", "fmt"), README_NAMED, ids=[n[0] for n in README_NAMED])
def test_readme_output_of_named_queries_is_real(
    store: QueryStore, args: str, name: str, fmt: str
) -> None:
    """Every line the README shows under --named NAME is a line of the real output (the
    README cuts long outputs with a line "…")."""
    block = README.split(f"policykg query out/graph.ttl {args}\n", 1)[1]
    shown = []
    for line in block.lstrip("\n").splitlines():
        if not line.startswith("    "):
            break
        if line.strip() != "…":
            shown.append(line[4:])
    result = store.query(named_queries()[name].sparql)
    real = format_result(result, fmt or "table").splitlines()
    assert shown and all(line in real for line in shown), name
