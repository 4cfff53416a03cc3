"""Minted IRIs: exact strings, stable hashes, nothing unsafe, bases checked."""

from __future__ import annotations

import hashlib
import re

import pytest
from rdflib import URIRef

from policykg.extract import EntityType, RelationType
from policykg.graph import DEFAULT_BASE, IriMinter, document_key, validate_base

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
