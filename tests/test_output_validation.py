"""output/validation.py: the exact text ``policykg validate`` prints for a report."""

from __future__ import annotations

import dataclasses
from typing import Any

from policykg.graph.validate import ValidationReport, Violation
from policykg.output.validation import format_validation

ENTITY = "https://w3id.org/policykg/id/entity/target/01440684f696"


BASE = Violation(
    focus=ENTITY,
    label="地区生产总值增长3.5%左右",
    path="pkg:value",
    value="六",
    value_label="",
    message="pkg:value is an xsd:decimal",
    severity="Violation",
    shape="",
    value_is_iri=False,
)


def violation(**changes: Any) -> Violation:
    return dataclasses.replace(BASE, **changes)


def test_a_conforming_graph_is_one_line() -> None:
    report = ValidationReport(True, 13381, ())
    assert format_validation(report, "out/graph.ttl") == (
        "out/graph.ttl conforms to the policykg shapes: 13381 triples, 0 violations.\n"
    )


def test_one_violation_with_a_literal_value() -> None:
    report = ValidationReport(False, 10, (violation(),))
    assert format_validation(report, "g.ttl") == (
        "g.ttl does not conform to the policykg shapes: 10 triples, 1 violation.\n"
        "\n"
        f"1. <{ENTITY}> 地区生产总值增长3.5%左右\n"
        "   path     pkg:value\n"
        '   value    "六"\n'
        "   message  pkg:value is an xsd:decimal\n"
    )


def test_iri_values_long_literals_severity_and_numbering() -> None:
    head = "https://w3id.org/policykg/id/entity/task/008bddef766a"
    items = tuple(
        [
            violation(value="长" * 100, severity="Warning", message="too\n  long"),
            violation(focus=head, label="", path="", value=head, value_is_iri=True),
            *[violation() for _ in range(8)],
            violation(value=head, value_label="科学统筹发展和安全", value_is_iri=True, path=""),
        ]
    )
    text = format_validation(ValidationReport(False, 99, items), "g.ttl")
    blocks = text.split("\n\n")
    assert blocks[0] == "g.ttl does not conform to the policykg shapes: 99 triples, 11 violations."
    assert blocks[1] == (
        f"1. <{ENTITY}> 地区生产总值增长3.5%左右\n"
        "   severity Warning\n"
        "   path     pkg:value\n"
        f'   value    "{"长" * 79}…"\n'
        "   message  too long"
    )
    assert blocks[2] == f"2. <{head}>\n   message  pkg:value is an xsd:decimal"  # value = focus
    assert blocks[11] == (
        f"11. <{ENTITY}> 地区生产总值增长3.5%左右\n"
        f"    value    <{head}> 科学统筹发展和安全\n"
        "    message  pkg:value is an xsd:decimal\n"
    )
