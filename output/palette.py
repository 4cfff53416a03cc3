"""Colours and Chinese names of entity types and relations, shared by every HTML view.

Kept apart from :mod:`policykg.output.html` so that the document view (``policykg show``)
does not import pyvis.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DOCUMENT_TYPE",
    "EDGE_COLORS",
    "FALLBACK_COLOR",
    "RELATION_NAMES_ZH",
    "TYPE_COLORS",
    "TYPE_NAMES_ZH",
]

#: The ``type`` of document nodes (entity types are those of SCHEMA.md).
DOCUMENT_TYPE: Final = "Document"

#: Node colour per type (Tableau 10): one fixed palette, the legend shows it in this order.
TYPE_COLORS: Final[dict[str, str]] = {
    "Organization": "#4e79a7",
    "Person": "#f28e2b",
    "Strategy": "#e15759",
    "Policy": "#76b7b2",
    "Principle": "#59a14f",
    "Problem": "#edc948",
    "Task": "#b07aa1",
    "Target": "#ff9da7",
    "Event": "#9c755f",
    DOCUMENT_TYPE: "#bab0ac",
}

#: Colour of a node whose type is not in ``TYPE_COLORS`` (drawn, but not in the legend).
FALLBACK_COLOR: Final = "#7f7f7f"

#: Chinese name of each type, shown in the legend and in hovers (SCHEMA.md, "Entity types").
TYPE_NAMES_ZH: Final[dict[str, str]] = {
    "Organization": "部门/机构",
    "Person": "领导/人物",
    "Strategy": "战略",
    "Policy": "政策/举措",
    "Principle": "指导思想/精神",
    "Problem": "问题",
    "Task": "任务/部署",
    "Target": "目标/指标",
    "Event": "会议/事件",
    DOCUMENT_TYPE: "文档",
}

#: Chinese name of each relation type, shown in edge hovers (SCHEMA.md, "Relation types").
RELATION_NAMES_ZH: Final[dict[str, str]] = {
    "deploys": "部署",
    "implements": "贯彻落实",
    "involves": "涉及",
    "hasTarget": "目标",
    "concerns": "关于",
    "addresses": "针对",
    "proposedBy": "提出",
    "partOf": "隶属/组成",
    "heldBy": "召开",
    "mentionedIn": "出现于",
}

#: Edge colour: entity→document links are pale and dashed, typed relations stand out.
EDGE_COLORS: Final[dict[str, str]] = {"mentionedIn": "#d3d3d3", "relation": "#6f6f6f"}
