"""docs/parameters.md: every scenario parameter with its name, unit, allowed values and description.

Written from the two declarations it documents, never by hand: the names, units and descriptions from
``model.scenario.parameter_labels`` (the registry the report's appendix and the workbook read), the allowed values and
whether a value may change by year from the schema (``model.scenario.schema``). ``python -m model.scenario.parameter_docs``
rewrites the page; ``--check`` exits 1 when the page is not current (a test runs the same comparison).
"""

from __future__ import annotations

import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from model.scenario.parameter_labels import LABELS, PARTS, labelled_prefix, parameter_value
from model.scenario.schema import FIRST_YEAR, HEADER_FIELDS, ScenarioModel, _as_dated

PAGE = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"
COMMAND = "python -m model.scenario.parameter_docs"

# the scenario file's top-level sections, in the schema's order, as the page's headings
SECTIONS = {
    "horizon": ("测算期", "Horizon"), "opening": ("期初存量", "Opening stock"), "quota": ("员额", "Quota"),
    "posts": ("岗位与等级", "Posts and grades"), "progression": ("晋级与考核", "Progression and reviews"),
    "retirement": ("退休", "Retirement"), "attrition": ("离职", "Attrition"), "elections": ("换届", "Elections"),
    "certificates": ("职业资格证书", "Certificates"), "hiring": ("招聘", "Hiring"), "pay": ("薪酬", "Pay"),
    "social_insurance": ("社会保险与住房公积金", "Social insurance and housing fund"), "pension": ("养老金", "Pensions"),
    "arrears": ("欠费补缴", "Arrears"), "other_costs": ("其他支出", "Other costs"),
    "uncertainty": ("不确定性", "Uncertainty"), "budget": ("预算科目与分级负担", "Budget codes and payers"),
    "appropriation": ("预算安排", "Appropriation"),
}


@dataclass
class Leaf:
    """One parameter leaf of the schema: its dotted path (parts such as a post included) and what it accepts."""

    path: str
    allowed: str
    dated: bool = False
    optional: bool = False


@dataclass
class _Type:
    base: typing.Any
    metadata: list = field(default_factory=list)
    dated: bool = False
    optional: bool = False


def _unwrap(tp, metadata=(), dated=False, optional=False) -> _Type:
    """Strip Annotated, Optional and the dated mapping from a type, keeping its constraints."""
    metadata = list(metadata)
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp, *extra = typing.get_args(tp)
            metadata += extra
        elif origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
            optional = True
        elif any(getattr(m, "func", None) is _as_dated for m in metadata) and origin is dict:
            tp = typing.get_args(tp)[1]  # year -> value
            metadata = [m for m in metadata if getattr(m, "func", None) is not _as_dated]
            metadata = [m for m in metadata if not hasattr(m, "min_length")]
            dated = True
        else:
            return _Type(tp, metadata, dated, optional)


def _constraints(metadata: list) -> list:
    """The constraint objects (Ge, Le, MaxLen, a pattern …) of a type's metadata; a FieldInfo holds its own."""
    return [inner for m in metadata for inner in (getattr(m, "metadata", None) or [m])]


def _bounds(metadata: list) -> dict[str, float]:
    return {key: getattr(c, key) for c in _constraints(metadata) for key in ("ge", "gt", "le", "lt")
            if getattr(c, key, None) is not None}


def _allowed(path: str, t: _Type) -> str:
    """What a leaf accepts, in symbols a reader of either language follows."""
    base = t.base
    origin = typing.get_origin(base)
    if base is bool:
        return "是/否 yes/no"
    if origin is typing.Literal:
        return " / ".join(str(a) for a in typing.get_args(base))
    if base is str:
        return "数字编码 digits" if any(getattr(c, "pattern", None) for c in _constraints(t.metadata)) else "文本 text"
    if isinstance(base, type) and issubclass(base, BaseModel):
        names = list(base.model_fields)
        first = base.model_fields[names[0]]
        return "/".join(names) + ": " + _allowed(path, _unwrap(first.annotation, first.metadata)) + (" ✓" if t.dated else "")
    if origin is list:
        if any(getattr(c, "max_length", None) == 2 for c in _constraints(t.metadata)):
            return "[下限 low, 上限 high]"
        return _allowed(path, _unwrap(typing.get_args(base)[0])) + "（每项 each）"
    if origin is dict:
        key, value = (_unwrap(a) for a in typing.get_args(base))
        low = _bounds(key.metadata).get("ge")
        what = "名称 name" if key.base is str else "年度 year" if low == FIRST_YEAR else "年龄 age" if low is not None else "数 number"
        return f"{what} → {_allowed(path, value)}"
    b = _bounds(t.metadata)
    if not b:
        return "数值 number" if base in (int, float) else str(getattr(base, "__name__", base))
    lo = b.get("ge", b.get("gt"))
    hi = b.get("le", b.get("lt"))
    kind = LABELS[labelled_prefix(path)].kind if labelled_prefix(path) else ""

    def fmt(v) -> str:
        if kind in ("share", "yuan") and base is float:
            return parameter_value(path, v, "en")
        if not float(v).is_integer():
            return f"{v:g}"
        return f"{int(v):,}" if abs(v) >= 10_000 else str(int(v))  # (a year without a separator)

    if hi is None:
        return f"> {fmt(lo)}" if "gt" in b else f"≥ {fmt(lo)}"
    text = f"{fmt(lo)}–{fmt(hi)}"
    return text + (f"（> {fmt(lo)}）" if "gt" in b else "") + (" integer" if base is int else "")


def schema_leaves(model: type[BaseModel] = ScenarioModel, prefix: str = "") -> list[Leaf]:
    """Every parameter leaf the schema declares (scenario header fields left out), dated values' parts included."""
    out: list[Leaf] = []
    for name, finfo in model.model_fields.items():
        if not prefix and name in HEADER_FIELDS:
            continue
        path = f"{prefix}.{name}" if prefix else name
        t = _unwrap(finfo.annotation, finfo.metadata)
        if isinstance(t.base, type) and issubclass(t.base, BaseModel) and not t.dated:  # (a dated group is one leaf)
            for leaf in schema_leaves(t.base, path):
                leaf.optional |= t.optional
                out.append(leaf)
        else:
            out.append(Leaf(path, _allowed(path, t), t.dated, t.optional))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The page: one table per section of a scenario file, one row per labelled parameter."""
    leaves: dict[str, list[Leaf]] = {}
    for leaf in schema_leaves():
        leaves.setdefault(labelled_prefix(leaf.path), []).append(leaf)
    lines = [
        "# 情景参数说明 / Scenario parameters",
        "",
        f"<!-- Generated by `{COMMAND}` from model/scenario/parameter_labels.py and model/scenario/schema.py; do not edit by hand. -->",
        "",
        "每个情景参数的中文名称、单位、取值范围和一行说明（说明该参数是什么、模型如何使用）。报告附录一、"
        "`budget.xlsx` 的“参数”表和 `parameters.csv` 的 `description` 列使用同一份说明。参数的取值、依据和来源见各情景文件"
        "（`scenarios/*.yaml`）及运行结果中的 `parameters.csv`。",
        "",
        "Every scenario parameter with its name, unit, allowed values and a one-line description of what it is and how the "
        "model uses it. The report's parameter appendix, the 参数 sheet of `budget.xlsx` and the `description` column of "
        "`parameters.csv` read the same descriptions. Values and their sources are in the scenario files and in a run's "
        "`parameters.csv`.",
        "",
        "- 路径 Path: the key in a scenario file; `<post>`, `<level>` … stand for the parts listed at the end.",
        "- 按年 Dated: ✓ where a value may change by year (`{2021: x, 2026: y}`: a value holds from its year on).",
        "- 可选 Optional: ✓ where the parameter may be left out.",
        "",
    ]
    for section, (zh, en) in SECTIONS.items():
        heads = [h for h in LABELS if h.split(".")[0] == section]
        if not heads:
            continue
        lines += [f"## {zh} / {en}", "",
                  "| 路径 Path | 名称 | Name | 单位 | Unit | 取值 Allowed | 按年 Dated | 可选 Optional | 说明 | Description |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for head in heads:
            label, own = LABELS[head], leaves.get(head, [])
            rest = [leaf.path[len(head) + 1:].split(".") for leaf in own if leaf.path != head]
            shown = head + "".join(f".<{'|'.join(dict.fromkeys(r[k] for r in rest if len(r) > k))}>"
                                   for k in range(max(map(len, rest), default=0)))
            allowed = "；".join(dict.fromkeys(leaf.allowed for leaf in own))
            lines.append("| " + " | ".join(_cell(x) for x in (
                f"`{shown}`", label.zh, label.en, label.unit, label.unit_en, allowed,
                "✓" if any(leaf.dated for leaf in own) else "", "✓" if any(leaf.optional for leaf in own) else "",
                label.about, label.about_en)) + " |")
        lines.append("")
    lines += ["## 路径中的部分 / Parts of a path", "", "| 部分 Part | 名称 | Name |", "|---|---|---|"]
    lines += [f"| `{k}` | {zh} | {en} |" for k, (zh, en) in PARTS.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = markdown()
    if "--check" in argv:
        if PAGE.exists() and PAGE.read_text(encoding="utf-8") == text:
            return 0
        print(f"{PAGE.name} is not current: run `{COMMAND}`", file=sys.stderr)
        return 1
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
