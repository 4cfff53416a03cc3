"""The text ``policykg validate`` prints: a one-line verdict, then each violation.

out/graph.ttl does not conform to the policykg shapes: 13381 triples, 1 violation.

1. <https://w3id.org/policykg/id/entity/task/86376a690db9> 全力化解重大风险
   path     pkg:deploys
   value    <https://w3id.org/policykg/id/entity/policy/5a1e…> 乡村振兴战略
   message  the tail of pkg:deploys is a Task
"""

from __future__ import annotations

import json

from policykg.graph.validate import ValidationReport, Violation

__all__ = ["format_validation"]


def format_validation(report: ValidationReport, name: str) -> str:
    """The report on the graph file ``name``, ending in a newline."""
    count = len(report.violations)
    noun = "violation" if count == 1 else "violations"
    verdict = "conforms" if report.conforms else "does not conform"
    lines = [f"{name} {verdict} to the policykg shapes: {report.triples} triples, {count} {noun}."]
    for number, violation in enumerate(report.violations, start=1):
        lines.append("")
        lines.extend(_violation_lines(number, violation))
    return "\n".join(lines) + "\n"


def _violation_lines(number: int, violation: Violation) -> list[str]:
    indent = " " * (len(str(number)) + 2)
    lines = [f"{number}. {_node(violation.focus, violation.label, iri=True)}"]
    if violation.severity and violation.severity != "Violation":
        lines.append(f"{indent}severity {violation.severity}")
    if violation.path:
        lines.append(f"{indent}path     {violation.path}")
    if violation.value and violation.value != violation.focus:
        value = _node(violation.value, violation.value_label, iri=violation.value_is_iri)
        lines.append(f"{indent}value    {value}")
    lines.append(f"{indent}message  {' '.join(violation.message.split())}")
    return lines


def _node(text: str, label: str, iri: bool) -> str:
    """An IRI in angle brackets with its label, or a literal quoted (cut to 80 characters)."""
    if iri:
        return f"<{text}> {label}".rstrip()
    return json.dumps(text if len(text) <= 80 else text[:79] + "…", ensure_ascii=False)
