"""The command line in the user's language: labels, values and table layout for people.

``--lang zh`` shows nothing English or internal: every vocabulary value (states, grades, kinds,
levels, flags) by its Chinese label, pack report sections by the labels their packs register
(``dualprev_register_labels``), and messages in Chinese.  ``--lang en`` is English throughout.
Ids are never cut: :func:`keep_ids_whole` gives id columns their full width and lets the other
columns wrap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["show", "T", "text", "citation_text", "contribution", "yes_no", "value", "keep_ids_whole", "table", "print_section", "hd_state", "hd_grade", "escalation", "event_kind"]

#: Messages by key and language.
T: dict[str, dict[str, str]] = {
    "id": {"zh": "编号", "en": "id"},
    "deadline": {"zh": "整改期限", "en": "deadline"},
    "flags": {"zh": "标记", "en": "flags"},
    "overdue_to": {"zh": "逾期，已升级至{to}", "en": "overdue → {to}"},
    "suspended": {"zh": "停产", "en": "production suspended"},
    "new": {"zh": "（新）", "en": " (new)"},
    "already": {"zh": "已记录过，未重复记录", "en": "already recorded"},
    "inspections": {"zh": "排查记录", "en": "inspections"},
    "inspection": {"zh": "排查记录", "en": "inspection"},
    "criteria": {"zh": "判定依据", "en": "criteria"},
    "nothing_overdue": {"zh": "无逾期隐患", "en": "nothing overdue"},
    "at": {"zh": "时间", "en": "at"},
    "rule": {"zh": "规则", "en": "rule"},
    "alarm_level": {"zh": "报警级别", "en": "level"},
    "point": {"zh": "监测点", "en": "point"},
    "message": {"zh": "内容", "en": "message"},
    "alarms": {"zh": "报警", "en": "alarms"},
    "more_in_json": {"zh": "（--json 给出完整内容）", "en": "(--json gives every field)"},
    "unlabelled": {"zh": "另有 {n} 个扩展包报告部分未提供中文标签，见 --json：{keys}", "en": "{n} pack report section(s) have no English labels; see --json: {keys}"},
    "items": {"zh": "{n} 项", "en": "{n}"},
    "inactive": {"zh": "（不计入）", "en": " (inactive)"},
    "formula": {"zh": "公式", "en": "formula"},
    "default": {"zh": "（默认）", "en": " (default)"},
    "source": {"zh": "依据", "en": "source"},
    "ok": {"zh": "通过", "en": "ok"},
    "failed": {"zh": "未通过", "en": "FAILED"},
    "unverified_mark": {"zh": "（* 未核实）", "en": "(* unverified)"},
    "warning": {"zh": "警告", "en": "warning"},
    "not_loaded": {"zh": "未加载；见 dualprev packs", "en": "not loaded; see 'dualprev packs'"},
    "rules_ok": {"zh": "通过 — 规则集 {ruleset}，{n} 条规则", "en": "ok — ruleset {ruleset}, {n} rules"},
    "rules_problems": {"zh": "{n} 个问题", "en": "{n} problem(s)"},
    "line": {"zh": "第 {n} 行", "en": "line {n}"},
    "readings": {"zh": "{n} 条读数；{a} 次报警；{p} 条问题读数", "en": "{n} readings; {a} alarms; {p} problem readings"},
    "moved": {"zh": "{id}：{before} → {after}", "en": "{id}: {before} → {after}"},
}

_CONTRIBUTIONS = {
    "grading_methods": {"zh": "分级方法", "en": "grading methods"},
    "band_variants": {"zh": "分级变体", "en": "band variants"},
    "accident_categories": {"zh": "事故类别", "en": "accident categories"},
    "rule_files": {"zh": "规则文件", "en": "rule files"},
    "criteria": {"zh": "判定标准", "en": "criteria"},
    "inspection_templates": {"zh": "排查模板", "en": "inspection templates"},
    "enterprise_level_methods": {"zh": "企业风险等级方法", "en": "enterprise level methods"},
    "escalation_policies": {"zh": "升级策略", "en": "escalation policies"},
}

_EVENT_KINDS = {
    "reported": "登记", "finding_added": "追加发现", "assessed": "评估定级", "regraded": "重新定级", "plan_approved": "治理方案批准",
    "rectification_started": "开始整改", "rectified": "整改完成", "verified": "验收", "closed": "销号", "marked_overdue": "逾期",
    "escalated": "升级", "production_suspended": "停产", "production_resumed": "复产", "missed_check": "未排查",
}


def text(key: str, lang: str, **values: Any) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in."""
    return T[key]["zh" if lang == "zh" else "en"].format(**values)


def citation_text(c: Any, lang: str) -> str:
    """A citation for people.  In Chinese: the document, edition and clause where they are written
    in Chinese, dualprev's own conventions named as such, and whether it is verified."""
    if lang != "zh":
        return str(c)
    if str(c.standard).startswith("dualprev"):
        head = "dualprev 约定（非标准规定）"
    else:
        head = " ".join(x for x in (c.standard, c.edition) if x)
    clause = c.clause if c.clause and not _has_english(c.clause) else ""
    out = head + (f" {clause}" if clause else "")
    if _has_english(out):
        out = "出处见 --json" if not head else head
    return out + ("" if c.verified else "（未核实）")


def _has_english(s: str) -> bool:
    import re

    return any(len(w) > 1 and not w.isupper() for w in re.findall(r"[A-Za-z]+", s))


def contribution(key: str, lang: str) -> str:
    return _CONTRIBUTIONS.get(key, {}).get(lang, key)


def yes_no(v: bool, lang: str) -> str:
    return ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")


def value(v: Any, lang: str) -> str:
    """A plain value for a table cell: booleans in words, lists counted, ``None`` as a dash."""
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return yes_no(v, lang)
    if isinstance(v, (list, tuple, dict)):
        return "、".join(str(x) for x in v) if v and all(isinstance(x, str) for x in v) and len(v) <= 4 else text("items", lang, n=len(v))
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def hd_state(key: str, lang: str) -> str:
    from dualprev_core.hidden_dangers.machine import HiddenDangerState

    return HiddenDangerState(key).label(lang) if lang == "zh" else key.replace("_", " ")


def hd_grade(key: str | None, lang: str) -> str:
    from dualprev_core.model.vocabulary import HiddenDangerGrade

    if key is None:
        return "未定级" if lang == "zh" else "not graded"
    return HiddenDangerGrade(key).label(lang)


def escalation(level: str | None, lang: str) -> str:
    """``team`` → 班组, ``regulator`` → 监管部门."""
    from dualprev_core.model.vocabulary import OwnerLevel

    if level is None:
        return "—"
    if level == "regulator":
        return "监管部门" if lang == "zh" else "regulator"
    try:
        return OwnerLevel(level).label(lang)
    except ValueError:
        return level


def event_kind(kind: str, lang: str) -> str:
    return _EVENT_KINDS.get(kind, kind) if lang == "zh" else kind.replace("_", " ")


def table(*columns: tuple[str, str], title: str | None = None, **kwargs: Any) -> Table:
    """A table whose columns are ``(header, kind)``: ``id`` columns never wrap or shrink, ``text``
    columns fold long words (CJK names wrap instead of being cut)."""
    t = Table(title=title, **kwargs)
    for header, kind in columns:
        if kind == "id":
            t.add_column(header, no_wrap=True, overflow="fold")
        else:
            t.add_column(header, overflow="fold")
    return t


def keep_ids_whole(t: Table) -> Table:
    """Give every no-wrap column the width of its longest cell, so ids are never cut."""
    from rich.cells import cell_len

    for col in t.columns:
        if col.no_wrap:
            cells = [str(c) for c in col._cells] + [str(col.header)]
            col.min_width = max(cell_len(line) for c in cells for line in (c.splitlines() or [""]))
    return t


_ID = __import__("re").compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
#: Record kinds packs name in their sections (``type: area``), in Chinese.
_RECORD_KINDS = {"enterprise": "企业", "area": "区域", "post": "岗位", "risk": "风险", "control": "管控措施", "risk_point": "风险点",
                 "hazard": "危险源", "installation": "装置", "major_hazard_installation": "重大危险源", "monitoring_point": "监测点",
                 "inspection_item": "排查项", "subproject": "分部分项工程"}


def _id_like(v: Any) -> bool:
    """Ids (or lists of ids): never wrapped, so they can be copied into the next command."""
    if v is None or v == "":
        return True
    if isinstance(v, (list, tuple)):
        return all(isinstance(x, str) and bool(_ID.match(x)) for x in v)
    return isinstance(v, str) and bool(_ID.match(v)) and v not in _RECORD_KINDS and any(ch.isdigit() or ch.isupper() or ch == "-" for ch in v)


def _cell(v: Any, lang: str, kind: str) -> str:
    if kind == "id" and isinstance(v, (list, tuple)):
        return "\n".join(v) or "—"
    if lang == "zh" and isinstance(v, str) and v in _RECORD_KINDS:
        return _RECORD_KINDS[v]
    return value(v, lang)


def show(console: Console, t: Table) -> None:
    """Print ``t`` with its ids whole; when the ids cannot fit the terminal beside the other
    columns, print one block per row instead (the id on its own line, then ``header: value``)."""
    from rich.cells import cell_len

    keep_ids_whole(t)
    need = sum((c.min_width or 6) if c.no_wrap else 6 for c in t.columns) + 3 * len(t.columns) + 1
    if need <= console.width:
        console.print(t)
        return
    if t.title:
        console.print(f"[bold]{t.title}[/]")
    headers = [str(c.header) for c in t.columns]
    cells = [list(c._cells) for c in t.columns]
    first = next((i for i, c in enumerate(t.columns) if c.no_wrap), 0)
    for r in range(t.row_count):
        console.print(f"[bold]{cells[first][r]}[/]", soft_wrap=True)
        rest = [f"{headers[i]}: {cells[i][r]}" for i in range(len(headers)) if i != first and str(cells[i][r]).strip() not in ("", "—")]
        if rest:
            console.print("  " + "；".join(rest) if any(cell_len(h) != len(h) for h in headers) else "  " + "; ".join(rest), soft_wrap=True)


def print_section(console: Console, key: str, section: Any, labels: Any, lang: str) -> bool:
    """Print a pack's report section with its pack's labels; ``False`` when it has none in ``lang``."""
    if labels is None:
        return False
    title = labels.title.get(lang) or labels.title.get("zh") or key
    if isinstance(section, list):
        rows = [x for x in section if isinstance(x, Mapping)]
        cols = [c for c in labels.fields if labels.field(c, lang)]
        if not rows:
            console.print(f"[bold]{title}[/]: " + ("无" if lang == "zh" else "none"))
            return True
        cols = [c for c in cols if any(c in x for x in rows)]
        kinds = {c: "id" if all(_id_like(x.get(c)) for x in rows) else "text" for c in cols}
        t = table(*((str(labels.field(c, lang)), kinds[c]) for c in cols), title=title)
        for x in rows:
            t.add_row(*(_cell(x.get(c), lang, kinds[c]) for c in cols))
        show(console, t)
    elif isinstance(section, Mapping):
        parts = [f"{labels.field(k, lang)}：{value(v, lang)}" if lang == "zh" else f"{labels.field(k, lang)}: {value(v, lang)}"
                 for k, v in section.items() if labels.field(k, lang)]
        console.print(f"[bold]{title}[/]: " + ("；" if lang == "zh" else "; ").join(parts), soft_wrap=True)
    else:
        console.print(f"[bold]{title}[/]: {value(section, lang)}")
    return True
