"""Minted IRIs: exact strings, stable hashes, nothing unsafe, bases checked."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SKOS

from policykg.extract import EntityType, Extraction, RelationType
from policykg.graph import (
    DEFAULT_BASE,
    IriMinter,
    KnowledgeGraph,
    build_graph,
    document_key,
    validate_base,
)

E = EntityType
ID = "https://w3id.org/policykg/id/"
SAFE = re.compile(r"[A-Za-z0-9:/._#-]+")
HOSTILE = 'a b%<>{}"中文.txt'


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("000_e07ead4074b87c09.txt", "000_e07ead4074b87c09.txt-473772c5"),
        ("doc1.txt", "doc1.txt-5419b869"),
        (HOSTILE, "a_b_.txt-e0e2fb95"),
        ("中文.txt", ".txt-254d76d2"),
        ("中文", "7be2d2d2"),
        ("seeds/2019 报告.txt", "seeds_2019_.txt-cddb945a"),
        ("..", "..-9d891e73"),
        ("x" * 100 + ".txt", "x" * 64 + "-3defd28a"),
    ],
)
def test_document_key(name: str, key: str) -> None:
    assert document_key(name) == key
    assert key.endswith(hashlib.sha1(name.encode("utf-8")).hexdigest()[:8])


@pytest.mark.parametrize(
    ("entity_type", "label", "iri"),
    [
        (E.ORGANIZATION, "市委", ID + "entity/organization/9d6d23948b90"),
        (E.STRATEGY, "乡村振兴战略", ID + "entity/strategy/1bc87065d630"),
        (E.POLICY, "四个不摘", ID + "entity/policy/765336b315fb"),
        (E.POLICY, "“四个不摘”", ID + "entity/policy/765336b315fb"),  # same normalised label
        (E.POLICY, " 四个 不摘。", ID + "entity/policy/765336b315fb"),
        (E.PRINCIPLE, "四个不摘", ID + "entity/principle/39c5d3b03e01"),  # other type
    ],
)
def test_entity_iri(entity_type: EntityType, label: str, iri: str) -> None:
    assert IriMinter().entity(entity_type, label) == URIRef(iri)


def test_entity_iri_is_sha1_of_type_and_normalised_label() -> None:
    digest = hashlib.sha1("Organization\x00市委".encode()).hexdigest()[:12]
    assert IriMinter().entity(E.ORGANIZATION, "市委") == URIRef(f"{ID}entity/organization/{digest}")


def test_document_mention_and_assertion_iris() -> None:
    mint = IriMinter()
    head = mint.entity(E.ORGANIZATION, "市委")
    tail = mint.entity(E.STRATEGY, "乡村振兴战略")
    assert mint.document("doc1.txt") == URIRef(ID + "doc/doc1.txt-5419b869")
    assert mint.mention("doc1.txt", 0, 2) == URIRef(ID + "mention/doc1.txt-5419b869/0-2")
    assertion = mint.assertion("doc1.txt", head, RelationType.IMPLEMENTS, tail, 0, 13, "r.impl")
    parts = [str(head), "implements", str(tail), "0", "13", "r.impl"]
    digest = hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:12]
    assert assertion == URIRef(f"{ID}assertion/doc1.txt-5419b869/{digest}")
    other_rule = mint.assertion("doc1.txt", head, RelationType.IMPLEMENTS, tail, 0, 13, "r.x")
    assert other_rule != assertion


def test_plain_string_iris_are_the_terms_strings() -> None:
    mint = IriMinter()
    head = mint.entity(E.ORGANIZATION, "市委")
    tail = mint.entity(E.STRATEGY, "乡村振兴战略")
    mention = mint.mention_iri("doc1.txt", 0, 2)
    assert mention == ID + "mention/doc1.txt-5419b869/0-2" and type(mention) is str
    relation = RelationType.IMPLEMENTS
    assertion = mint.assertion_iri("doc1.txt", str(head), relation, str(tail), 0, 13, "r")
    assert assertion == str(mint.assertion("doc1.txt", head, relation, tail, 0, 13, "r"))
    merge = mint.merge_iri("doc1.txt", str(head), "中共市委")
    assert merge == str(mint.merge("doc1.txt", head, "中共市委")) and type(merge) is str
    with pytest.raises(ValueError, match="invalid span 5-4"):
        mint.mention_iri("doc1.txt", 5, 4)


@pytest.mark.parametrize("base", [DEFAULT_BASE, "http://localhost:8080/kg/", "https://ex.org/kg#"])
def test_minted_iris_are_safe_for_hostile_names(base: str) -> None:
    mint = IriMinter(base)
    head = mint.entity(E.TASK, HOSTILE)
    iris = [
        head,
        mint.document(HOSTILE),
        mint.mention(HOSTILE, 3, 7),
        mint.assertion(HOSTILE, head, RelationType.PART_OF, head, -1, -1, "<rule>"),
    ]
    for iri in iris:
        assert iri.startswith(base)
        assert SAFE.fullmatch(iri), iri


def test_custom_base_prefixes_every_iri() -> None:
    mint = IriMinter("https://ex.org/kg#")
    assert mint.document(HOSTILE) == URIRef("https://ex.org/kg#doc/a_b_.txt-e0e2fb95")


@pytest.mark.parametrize(
    "base",
    [
        "",
        "https://w3id.org/policykg/id",
        "ftp://example.org/",
        "/relative/path/",
        "example.org/",
        "https://例子.cn/",
        "https://example.org/a b/",
        "https://example.org/%20/",
        "https://example.org/<x>/",
        "http:///missing-host/",
        "https://example.org/?q=1/",
    ],
)
def test_bad_base_is_rejected_by_name(base: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"invalid base IRI {base!r}")):
        IriMinter(base)
    with pytest.raises(ValueError, match="ends in '/' or '#'"):
        validate_base(base)


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (5, 4)])
def test_bad_span_is_rejected(start: int, end: int) -> None:
    with pytest.raises(ValueError, match=f"invalid span {start}-{end}"):
        IriMinter().mention("doc1.txt", start, end)


# -- hostile document names and labels: the graph parses back everywhere ----------------------

HOSTILE_NAMES = [
    "a b.txt",
    '<>"{}|\\^`.txt',
    "line\nbreak\r.txt",
    "../../etc/passwd",
    "x" * 3000 + ".txt",
    "报告 2019（定稿）.txt",
    "\u202egnp.txt",  # right-to-left override
    'quote"""triple.txt',
    "tab\tand\x0bvt.txt",
    "%20%3C.txt",
    "#frag?q=1&x.txt",
    "\ufffd\ufffd.txt",  # a name that was not UTF-8, as document_names shows it
]
HOSTILE_LABELS = [
    '推进<script>alert("x")</script>行动',
    '"""三引号"""',
    "反斜杠\\结尾\\",
    "换行\n和\r\n回车",
    "{}|^`<>",
    "控制\x01字符\x1f",
    "\U0002a700扩展B汉字",
    "emoji 🚩 ok",
]


def hostile_extraction(name: str, n: int) -> Extraction:
    """One document named ``name`` whose entities carry the hostile labels."""
    text = "。".join(HOSTILE_LABELS) + "。"
    entities, relations = [], []
    for i, label in enumerate(HOSTILE_LABELS):
        start = text.index(label)
        entities.append(
            {
                "id": f"e{i + 1}",
                "type": ["Policy", "Task", "Organization", "Problem"][i % 4],
                "label": label,
                "aliases": [label + str(n)],
                "mentions": [
                    {"start": start, "end": start + len(label), "text": label, "rule": "r<>"}
                ],
            }
        )
    for i in range(1, len(HOSTILE_LABELS)):
        relations.append(
            {
                "head": f"e{i}",
                "type": "involves",
                "tail": f"e{i + 1}",
                "rule": 'rule "x"',
                "evidence": text[:10],
                "evidence_start": 0,
                "evidence_end": 10,
            }
        )
    return Extraction.from_json(
        {"document": name, "entities": entities, "relations": relations}, text
    )


@pytest.fixture(scope="module")
def hostile_graph() -> KnowledgeGraph:
    return build_graph([hostile_extraction(name, n) for n, name in enumerate(HOSTILE_NAMES)])


def test_every_minted_iri_of_a_hostile_graph_is_safe(hostile_graph: KnowledgeGraph) -> None:
    iris = {str(t) for triple in hostile_graph.rdf for t in triple if isinstance(t, URIRef)}
    minted = {iri for iri in iris if iri.startswith(ID)}
    assert len(minted) > 100
    for iri in minted:
        assert SAFE.fullmatch(iri), iri
        assert len(iri) < 200, iri
        assert "/../" not in iri and not iri.endswith("/..")


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
def test_a_hostile_graph_parses_back_in_rdflib(hostile_graph: KnowledgeGraph, fmt: str) -> None:
    back = rdflib.Graph().parse(data=hostile_graph.serialize(fmt), format=fmt)
    assert isomorphic(back, hostile_graph.rdf)
    labels = {str(o) for o in back.objects(None, SKOS.prefLabel)}
    assert set(HOSTILE_LABELS) <= labels
    names = {str(o) for o in back.objects(None, DCTERMS.identifier)}
    assert set(HOSTILE_NAMES) <= names


@pytest.mark.parametrize(("fmt", "oxformat"), [("turtle", "TURTLE"), ("nt", "N_TRIPLES")])
def test_a_hostile_graph_parses_back_in_pyoxigraph(
    hostile_graph: KnowledgeGraph, fmt: str, oxformat: str
) -> None:
    pyoxigraph = pytest.importorskip("pyoxigraph")
    data = hostile_graph.serialize(fmt).encode("utf-8")
    triples = list(pyoxigraph.parse(data, format=getattr(pyoxigraph.RdfFormat, oxformat)))
    assert len(triples) == len(hostile_graph)


@pytest.mark.skipif(shutil.which("rapper") is None, reason="raptor's rapper is not installed")
@pytest.mark.parametrize(("fmt", "syntax"), [("turtle", "turtle"), ("nt", "ntriples")])
def test_a_hostile_graph_parses_back_in_rapper(
    hostile_graph: KnowledgeGraph, fmt: str, syntax: str, tmp_path: Path
) -> None:
    path = tmp_path / f"graph.{fmt}"
    path.write_text(hostile_graph.serialize(fmt), encoding="utf-8")
    done = subprocess.run(
        ["rapper", "-i", syntax, "-c", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f"returned {len(hostile_graph)} triples" in done.stderr
