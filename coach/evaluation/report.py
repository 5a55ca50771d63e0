"""One self-contained HTML page per run: inline CSS, an inline SVG bar chart, no external assets.

Every piece of case or model text goes through :func:`html.escape`; nothing on the page is fetched
from anywhere (no links, scripts, fonts or images), so it opens the same offline and cannot run
what a model wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from coach.evaluation.summary import OVERALL, worst

Row = dict[str, Any]

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330}
body{padding:0 1rem}h1{font-size:1.5rem;margin-bottom:.2rem}
h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.2rem}
.meta{color:#5b6475}table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:13px}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #eef;vertical-align:top}
th{background:#f5f6fa;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pass{color:#17803d;font-weight:600}.fail{color:#b42318;font-weight:600}
.case{border:1px solid #e3e6ef;border-radius:6px;padding:.6rem .9rem;margin:.8rem 0}
.case pre{white-space:pre-wrap;background:#f7f8fb;padding:.4rem .6rem;border-radius:4px}
.tag{display:inline-block;background:#eef1f8;border-radius:3px;padding:0 .35rem;font-size:12px}
ul.failed{margin:.3rem 0;padding-left:1.2rem}ul.failed li{color:#7a1b12}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}
"""

_SERIES = (
    ("cases", "answer shown passes", "#3b6fd8"),
    ("candidates", "raw model candidates pass", "#e08a1e"),
)
_INK = "#1d2330"


def _attrs(attrs: dict[str, object]) -> str:
    def value(v: object) -> str:
        return f"{v:.1f}" if isinstance(v, float) else escape(str(v))

    return "".join(f' {k.rstrip("_").replace("_", "-")}="{value(v)}"' for k, v in attrs.items())


def _el(name: str, content: str | None = None, **attrs: object) -> str:
    """An element; ``content`` must already be escaped. None makes a self-closing SVG element."""
    if content is None:
        return f"<{name}{_attrs(attrs)}/>"
    return f"<{name}{_attrs(attrs)}>{content}</{name}>"


def _pct(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.0%}"  # type: ignore[arg-type]


def _rate_cell(rate: dict[str, Any]) -> str:
    if rate["rate"] is None:
        return _el("td", "n/a", class_="n")
    low, high = rate["ci95"]
    count = _el("small", f"({rate['passed']}/{rate['n']})")
    return _el("td", f"{rate['rate']:.2f} [{low:.2f}, {high:.2f}] {count}", class_="n")


def _groups(summary: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [*summary["jobs"].items(), (OVERALL, summary[OVERALL])]


def _bar(x: float, width: float, rate: dict[str, Any], colour: str, title: str) -> list[str]:
    top, plot_h = 16, 190
    bar_h = plot_h * rate["rate"]
    parts = [
        _el(
            "rect",
            _el("title", escape(title)),
            x=x + 2,
            y=float(top + plot_h - bar_h),
            width=width - 4,
            height=float(bar_h),
            fill=colour,
        )
    ]
    low, high = rate["ci95"]
    cx = x + width / 2
    y_low, y_high = top + plot_h * (1 - low), top + plot_h * (1 - high)
    parts.append(_el("line", x1=cx, y1=y_low, x2=cx, y2=y_high, stroke=_INK))
    for yy in (y_low, y_high):
        parts.append(_el("line", x1=cx - 4, y1=yy, x2=cx + 4, y2=yy, stroke=_INK))
    return parts


def bar_chart(summary: dict[str, Any]) -> str:
    """Grouped bars per job: shown-answer and raw-candidate pass rates, with 95% whiskers."""
    groups = _groups(summary)
    width, height, left, top, plot_h = 760, 270, 48, 16, 190
    group_w = (width - left - 10) / max(len(groups), 1)
    bar_w = min(42.0, group_w / (len(_SERIES) + 1.5))
    parts: list[str] = []
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        parts.append(_el("line", x1=left, y1=y, x2=width - 10, y2=y, stroke="#e3e6ef"))
        parts.append(_el("text", f"{tick}%", x=left - 6, y=y + 4, text_anchor="end"))
    for g, (name, figures) in enumerate(groups):
        x0 = left + g * group_w + (group_w - bar_w * len(_SERIES)) / 2
        for s, (key, label, colour) in enumerate(_SERIES):
            rate, x = figures[key], x0 + s * bar_w
            if rate["rate"] is None:
                parts.append(
                    _el("text", "n/a", x=x + bar_w / 2, y=top + plot_h - 4, text_anchor="middle")
                )
                continue
            title = f"{name}: {label} {rate['rate']:.0%} ({rate['passed']}/{rate['n']})"
            parts += _bar(x, bar_w, rate, colour, title)
        centre = left + g * group_w + group_w / 2
        parts.append(_el("text", escape(name), x=centre, y=top + plot_h + 18, text_anchor="middle"))
    for s, (_, label, colour) in enumerate(_SERIES):
        x = left + s * 230
        parts.append(_el("rect", x=x, y=height - 22, width=12, height=12, fill=colour))
        parts.append(_el("text", f"{escape(label)} (95% CI)", x=x + 18, y=height - 12))
    return _el(
        "svg",
        "".join(parts),
        role="img",
        aria_label="Pass rates per job",
        width=width,
        height=height,
        viewBox=f"0 0 {width} {height}",
    )


def _row(*cells: str) -> str:
    return _el("tr", "".join(cells))


def _head(*names: str) -> str:
    return _row(*(_el("th", escape(n)) for n in names))


def _jobs_table(summary: dict[str, Any]) -> str:
    rows = [
        _head(
            "job", "cases pass", "deterministic", "grounding", "judge", "raw candidates pass",
            "grounded fallback", "recall", "errors", "seconds",
        )
    ]  # fmt: skip
    for name, f in _groups(summary):
        judge = f["judge"]
        skipped = judge["status"] == "skipped"
        fallback = f["grounded_fallback"]
        share = f"{_pct(fallback['rate'])} " + _el(
            "small", f"({fallback['grounded']}/{fallback['shown']})"
        )
        rows.append(
            _row(
                _el("td", escape(name)),
                _rate_cell(f["cases"]),
                _rate_cell(f["layers"]["deterministic"]),
                _rate_cell(f["layers"]["grounding"]),
                _el("td", "skipped", class_="n") if skipped else _rate_cell(judge["grades"]),
                _rate_cell(f["candidates"]),
                _el("td", share, class_="n"),
                _el("td", _pct(f["recall"]), class_="n"),
                _el("td", str(f["model_errors"]), class_="n"),
                _el("td", str(f["seconds"]), class_="n"),
            )
        )
    return _el("table", "".join(rows))


def _principles_table(summary: dict[str, Any]) -> str:
    rows = [_head("principle", "cases pass", "retrieved or cited", "judge")]
    for pid, f in summary["principles"].items():
        rows.append(
            _row(
                _el("td", escape(pid)),
                _rate_cell(f["cases"]),
                _rate_cell(f["found"]),
                _rate_cell(f["judge"]),
            )
        )
    return _el("table", "".join(rows))


def _gates_table(gates: Sequence[dict[str, Any]]) -> str:
    if not gates:
        return "<p>No gates configured.</p>"
    rows = [_head("gate", "rule", "value", "")]
    for g in gates:
        verdict = "pass" if g["passed"] else "fail"
        rows.append(
            _row(
                _el("td", escape(str(g["gate"]))),
                _el("td", escape(str(g.get("rule", g["threshold"])))),
                _el("td", _pct(g["value"]), class_="n"),
                _el("td", verdict.upper() if verdict == "fail" else verdict, class_=verdict),
            )
        )
    return _el("table", "".join(rows))


def _case_block(row: Row) -> str:
    tags = "".join(_el("span", escape(t), class_="tag") for t in row["tags"])
    given = "\n".join(f"{k}: {v}" for k, v in row["input"].items())
    shown = "\n".join(f"{i}. {t}" for i, t in enumerate(row["shown"], 1)) or "(nothing shown)"
    failed = "".join(
        _el("li", f"{_el('b', escape(g['name']))} ({escape(g['layer'])}): {escape(g['detail'])}")
        for g in row["grades"]
        if g["passed"] is False
    )
    error = ""
    if row["model_error"]:
        error = _el("p", f"model error: {escape(row['model_error'])}", class_="fail")
    title = f"{_el('b', escape(row['case']))} · {escape(row['job'])} · repeat {row['repeat']}"
    body = (
        f"{title} {tags}{_el('pre', escape(given))}<div>shown:</div>{_el('pre', escape(shown))}"
        f"{error}{_el('ul', failed, class_='failed')}"
    )
    return _el("div", body, class_="case")


def render(summary: dict[str, Any], rows: Sequence[Row], gates: Sequence[dict[str, Any]]) -> str:
    meta = summary["meta"]
    facts = " · ".join(
        f"{escape(str(k))}: {escape(str(v))}" for k, v in meta.items() if v not in (None, "")
    )
    counts = summary["counts"]
    cases = "".join(_case_block(r) for r in worst(rows)) or "<p>Every case passed.</p>"
    title = f"Coach evals: {escape(str(meta.get('backend', '')))}"
    note = (
        "Raw candidates: the model's own lines before the checks. Grounded fallback: the share of "
        "shown suggestions built from the principle cards because no model line passed."
    )
    body = (
        f"<h1>Connection coach evals</h1>{_el('p', facts, class_='meta')}"
        f"<p><b>{counts['passed']} passed, {counts['failed']} failed</b> (case runs).</p>"
        f"<h2>Pass rates per job</h2>{bar_chart(summary)}{_jobs_table(summary)}"
        f"{_el('p', note, class_='meta')}"
        f"<h2>Gates</h2>{_gates_table(gates)}"
        f"<h2>Per principle</h2>{_principles_table(summary)}"
        f"<h2>Worst cases</h2>{cases}"
    )
    head = f"<meta charset='utf-8'><title>{title}</title><style>{_CSS}</style>"
    return f"<!doctype html><html lang='en'><head>{head}</head><body>{body}</body></html>\n"
