"""Notebook display: ``_repr_html_`` helpers (plain, escaped HTML and inline SVG; no JavaScript),
the plain-text report and matplotlib figures (extra ``notebook``, imported lazily).

- :func:`cloud_html` — a Cloud: clock, seed, events, trace, services and their resources.
- :func:`table_html` — a DynamoDB table: key schema, mode, size, the first items.
- :func:`function_html` — a Lambda function: configuration and what the simulation measured.
- :func:`execution_html` — a Step Functions execution: its state machine drawn as an SVG graph
  (states in layers from ``StartAt``; edges for ``Next``, ``Default``, ``Choices`` and
  ``Catch``) with the states the execution entered highlighted (the last one red if it failed).
- :func:`metrics_html` — a metric store (or a filtered part): series with their statistics.
- :func:`report_html` / :func:`report_text` / :func:`report_figure` — a :class:`~.report.Report`.

Everything user-supplied is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
import json
import math
from typing import TYPE_CHECKING, Any, Iterable

from ..kernel.clock import format_us

if TYPE_CHECKING:
    from .report import Report
    from .workloads import Workload

_STYLE = ("<style>.ssim table{border-collapse:collapse;font-size:12px;margin:4px 0}"
          ".ssim td,.ssim th{border:1px solid #ddd;padding:2px 6px;text-align:left}"
          ".ssim th{background:#f4f4f4}.ssim h4{margin:6px 0 2px}</style>")


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if v != v:
            return "nan"
        if v == int(v) and abs(v) < 1e15:
            return f"{int(v):,}"
        return f"{v:,.4g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.3e}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return "" if v is None else str(v)


def html_table(rows: Iterable[dict[str, Any]] | dict[str, dict[str, Any]], key: str = "") -> str:
    """An HTML table of dict rows (or ``{name: row}``), columns in first-seen order."""
    if isinstance(rows, dict):
        rows = [{key or "name": k, **v} for k, v in rows.items()]
    rows = list(rows)
    if not rows:
        return "<p><i>none</i></p>"
    cols: list[str] = []
    for r in rows:
        for c in r:
            if c not in cols:
                cols.append(c)
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{esc(_fmt(r.get(c)))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _kv(pairs: Iterable[tuple[str, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{esc(k)}</th><td>{esc(_fmt(v))}</td></tr>" for k, v in pairs) + "</table>"


def _wrap(title: str, body: str) -> str:
    return f'{_STYLE}<div class="ssim"><h4>{esc(title)}</h4>{body}</div>'


# -- Cloud ---------------------------------------------------------------------------------------
def cloud_html(cloud: Any) -> str:
    """A Cloud at a glance."""
    from .workloads import workloads

    svcs = cloud.__dict__.get("_services", {})
    parts = [_kv([
        ("seed", cloud.seed), ("region", cloud.region), ("account", cloud.account_id),
        ("now", format_us(cloud.clock.now_us)), ("elapsed", str(cloud.elapsed)),
        ("events run", cloud.scheduler.events_run), ("events pending", cloud.scheduler.pending),
        ("trace records", cloud.trace.total), ("trace digest", cloud.trace.digest()[:16]),
    ])]
    rows = []
    for name in sorted(svcs):
        rows.append({"service": name, "resources": _resources(name, svcs[name])})
    parts.append(html_table(rows))
    wls = workloads(cloud)
    if wls:
        parts.append(html_table([{"workload": n, "arrival": type(w.arrival).__name__, "sent": w.stats.sent,
                                  "ok": w.stats.ok, "errors": w.stats.errors, "throttled": w.stats.throttled,
                                  "running": w.running} for n, w in sorted(wls.items())]))
    return _wrap("Cloud", "".join(parts))


def _resources(name: str, svc: Any) -> str:
    for attr in ("tables", "functions", "machines", "queues", "topics", "buckets", "rest_apis"):
        coll = getattr(svc, attr, None)
        if isinstance(coll, dict):
            names = sorted(str(k).rsplit(":", 1)[-1] for k in coll)
            more = f" (+{len(names) - 8})" if len(names) > 8 else ""
            return f"{len(names)} {attr}: " + ", ".join(names[:8]) + more
    return ""


# -- DynamoDB table ------------------------------------------------------------------------------
def table_html(table: Any, limit: int = 10) -> str:
    """A DynamoDB table (the engine's ``Table`` or the native ``NativeTable``)."""
    native = table if hasattr(table, "_svc") else None
    t = table._table() if native is not None else table
    keys = f"{t.hash_key} ({t.hash_type})" + (f", {t.range_key} ({t.range_type})" if t.range_key else "")
    info = _kv([("table", t.name), ("keys", keys), ("billing mode", t.billing_mode),
                ("provisioned RCU/WCU", f"{t.read_capacity}/{t.write_capacity}" if t.billing_mode == "PROVISIONED" else "-"),
                ("items", t.item_count), ("size (bytes)", t.size_bytes),
                ("GSIs", ", ".join(sorted(t.gsis)) or "-"), ("stream", t.stream_label or "-")])
    items: list[dict[str, Any]] = []
    scan = getattr(native, "scan", None)
    if callable(scan):
        try:
            for item in scan():
                items.append({k: _short(v) for k, v in sorted(item.items())})
                if len(items) >= limit:
                    break
        except Exception:  # pragma: no cover - display must not fail
            items = []
    return _wrap(f"DynamoDB table {t.name}", info + (html_table(items) if items else ""))


def _short(v: Any) -> str:
    text = json.dumps(v, default=str, sort_keys=True) if not isinstance(v, str) else v
    return text if len(text) <= 60 else text[:57] + "..."


# -- Lambda function -----------------------------------------------------------------------------
def function_html(fn: Any, lam: Any = None) -> str:
    """A Lambda function: configuration and measured statistics."""
    v = fn.latest
    pairs = [("function", fn.name), ("runtime", v.runtime), ("memory (MB)", v.memory), ("timeout (s)", v.timeout),
             ("architecture", v.architecture), ("reserved concurrency", fn.reserved if fn.reserved is not None else "-"),
             ("versions", ", ".join(sorted(fn.versions)) or "-"), ("aliases", ", ".join(sorted(fn.aliases)) or "-")]
    st = fn.stats
    pairs += [("invocations", st.invocations), ("cold starts", st.cold_starts), ("errors", st.errors),
              ("throttles", st.throttles), ("timeouts", st.timeouts), ("peak concurrency", st.peak_concurrency),
              ("environments created", st.environments), ("in flight", fn.in_flight)]
    return _wrap(f"Lambda function {fn.name}", _kv(pairs))


# -- Step Functions execution ------------------------------------------------------------------------
def _edges(states: dict[str, Any]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for name, st in states.items():
        if not isinstance(st, dict):
            continue
        if isinstance(st.get("Next"), str):
            out.append((name, st["Next"], ""))
        if isinstance(st.get("Default"), str):
            out.append((name, st["Default"], "default"))
        for ch in st.get("Choices", []) or []:
            if isinstance(ch, dict) and isinstance(ch.get("Next"), str):
                out.append((name, ch["Next"], "choice"))
        for c in st.get("Catch", []) or []:
            if isinstance(c, dict) and isinstance(c.get("Next"), str):
                out.append((name, c["Next"], "catch"))
    return out


def machine_svg(definition: dict[str, Any], visited: Iterable[str] = (), failed: str | None = None) -> str:
    """An SVG drawing of a state machine's top-level states; ``visited`` states are filled."""
    states: dict[str, Any] = definition.get("States", {}) or {}
    start = definition.get("StartAt")
    edges = _edges(states)
    # Layers by breadth-first distance from StartAt (unreachable states last).
    layer: dict[str, int] = {}
    if start in states:
        layer[start] = 0
        frontier = [start]
        while frontier:
            nxt = []
            for s in frontier:
                for a, b, _ in edges:
                    if a == s and b in states and b not in layer:
                        layer[b] = layer[s] + 1
                        nxt.append(b)
            frontier = nxt
    deepest = max(layer.values(), default=-1)
    for s in states:
        if s not in layer:
            deepest += 1
            layer[s] = deepest
    rows: dict[int, list[str]] = {}
    for s in states:
        rows.setdefault(layer[s], []).append(s)
    w, h, gx, gy = 150, 34, 30, 36
    width = max((len(r) for r in rows.values()), default=1) * (w + gx) + gx
    height = (max(rows, default=0) + 1) * (h + gy) + gy
    pos: dict[str, tuple[float, float]] = {}
    for li, names in rows.items():
        row_w = len(names) * (w + gx) - gx
        x0 = (width - row_w) / 2
        for i, s in enumerate(names):
            pos[s] = (x0 + i * (w + gx), gy + li * (h + gy))
    seen = set(visited)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
             f'font-family="sans-serif" font-size="11">',
             '<defs><marker id="ssim-arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
             '<path d="M0,0 L8,4 L0,8 z" fill="#888"/></marker></defs>']
    visited_list = list(visited)
    taken = set(zip(visited_list, visited_list[1:]))
    for a, b, kind in edges:
        if a not in pos or b not in pos:
            continue
        (x1, y1), (x2, y2) = pos[a], pos[b]
        on_path = (a, b) in taken
        color = "#2a7" if on_path else ("#c66" if kind == "catch" else "#888")
        dash = ' stroke-dasharray="4,3"' if kind == "catch" else ""
        parts.append(f'<line x1="{x1 + w / 2:.0f}" y1="{y1 + h:.0f}" x2="{x2 + w / 2:.0f}" y2="{y2:.0f}" '
                     f'stroke="{color}" stroke-width="{2.5 if on_path else 1}"{dash} marker-end="url(#ssim-arrow)"/>')
    for s, (x, y) in pos.items():
        st: dict[str, Any] = states[s] if isinstance(states.get(s), dict) else {}
        fill = "#f8d7d7" if s == failed else ("#d4f4dd" if s in seen else "#fff")
        stroke = "#c33" if s == failed else ("#2a7" if s in seen else "#999")
        label = s if len(s) <= 22 else s[:20] + "..."
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="{stroke}"/>')
        parts.append(f'<text x="{x + w / 2:.0f}" y="{y + 14:.0f}" text-anchor="middle">{esc(label)}</text>')
        parts.append(f'<text x="{x + w / 2:.0f}" y="{y + 27:.0f}" text-anchor="middle" fill="#777">'
                     f'{esc(st.get("Type", "?"))}</text>')
    if start in pos:
        x, y = pos[start]
        parts.append(f'<text x="{x + w / 2:.0f}" y="{y - 6:.0f}" text-anchor="middle" fill="#2a7">start</text>')
    parts.append("</svg>")
    return "".join(parts)


def execution_path(ex: Any) -> list[str]:
    """Top-level states an execution entered, in order (from its history; Express executions
    keep none)."""
    out: list[str] = []
    for etype, _ts, _prev, details in ex.history or ():
        if etype.endswith("StateEntered") and type(details) is tuple:
            out.append(details[0])
    top = set((ex.definition.raw or {}).get("States", {})) if getattr(ex.definition, "raw", None) else None
    return [s for s in out if top is None or s in top]


def execution_html(ex: Any) -> str:
    """A Step Functions execution with its state machine and path."""
    raw = getattr(ex.definition, "raw", None)
    if isinstance(raw, str):
        raw = json.loads(raw)
    path = execution_path(ex)
    failed = path[-1] if ex.status in ("FAILED", "TIMED_OUT") and path else None
    info = _kv([("execution", ex.arn), ("type", ex.type), ("status", ex.status),
                ("started", format_us(ex.start_us)),
                ("stopped", format_us(ex.stop_us) if ex.stop_us is not None else "-"),
                ("transitions", ex.transitions), ("path", " → ".join(path) if path else "(no history)")])
    svg = machine_svg(raw or {}, path, failed)
    return _wrap(f"Step Functions execution {ex.name}", info + svg)


# -- metrics ------------------------------------------------------------------------------------------
def metrics_html(store: Any, namespace: str | None = None, name: str | None = None, limit: int = 200) -> str:
    """Metric series (filtered) with SampleCount, Sum, Average, Minimum, Maximum."""
    rows = []
    for s in store.list(namespace, name)[:limit]:
        bs = s.rows()
        count = sum(b.sample_count for b in bs)
        total = sum(b.total for b in bs)
        rows.append({"namespace": s.namespace, "metric": s.name,
                     "dimensions": ", ".join(f"{k}={v}" for k, v in s.dimensions), "unit": s.unit,
                     "SampleCount": count, "Sum": total, "Average": total / count if count else None,
                     "Minimum": min((b.minimum for b in bs), default=None),
                     "Maximum": max((b.maximum for b in bs), default=None)})
    return _wrap("Metrics", html_table(rows))


def workload_html(wl: "Workload") -> str:
    s = wl.summary()
    targets = s.pop("targets")
    return _wrap(f"Workload {wl.name} ({type(wl.arrival).__name__})",
                 html_table([s]) + html_table(targets, "target"))


# -- reports ------------------------------------------------------------------------------------------
def _text_table(rows: dict[str, dict[str, Any]], key: str, columns: list[str] | None = None) -> list[str]:
    if not rows:
        return []
    cols = columns or [c for c in next(iter(rows.values())) if c != "targets"]
    table = [[key, *cols]] + [[k, *(_fmt(v.get(c)) for c in cols)] for k, v in rows.items()]
    widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
    out = []
    for j, r in enumerate(table):
        out.append("  " + "  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                                    for i, c in enumerate(r)))
        if j == 0:
            out.append("  " + "  ".join("-" * w for w in widths))
    return out


_TEXT_COLUMNS = {
    "workloads": ["sent", "ok", "errors", "throttled", "p50_ms", "p99_ms", "max_ms"],
    "lambda": ["invocations", "errors", "throttles", "cold_starts", "cold_start_rate", "duration_p50_ms",
               "duration_p99_ms", "peak_concurrency", "gb_s"],
    "dynamodb": ["billing_mode", "items", "consumed_rcu", "consumed_wcu", "throttled_requests"],
    "stepfunctions": ["type", "executions", "succeeded", "failed", "transitions", "duration_p99_ms"],
    "sqs": ["sent", "received", "deleted", "requests", "max_visible"],
    "sns": ["published", "delivered", "failed"],
    "apigateway": ["type", "requests", "4xx", "5xx", "latency_p50_ms", "latency_p99_ms"],
    "s3": ["objects", "size_bytes"],
}


def report_text(r: "Report") -> str:
    run = r.run
    lines = [f"Simulation report: {run['start']} .. {run['now']} ({run['elapsed_s'] / 3600:.2f} h simulated)",
             f"  seed {run['seed']}, {run['events_run']:,} events, {run['trace_records']:,} trace records, "
             f"digest {run['trace_digest'][:16]}", ""]
    if r.workloads:
        lines.append("Workloads")
        lines += _text_table(r.workloads, "workload", _TEXT_COLUMNS["workloads"])
        lines.append("")
    for svc, rows in r.services.items():
        if rows:
            lines.append(svc)
            lines += _text_table(rows, "name", [c for c in _TEXT_COLUMNS.get(svc, []) if c in next(iter(rows.values()))]
                                 or None)
            lines.append("")
    if r.errors:
        lines.append("Errors and throttles")
        lines += _text_table(r.errors, "service", ["errors", "throttles"])
        lines.append("")
    lines.append(f"Cost (USD, {r.prices.region} list prices{', free tier applied' if r.free_tier else ''})")
    for svc, c in r.cost_by_service.items():
        lines.append(f"  {svc:<16}{c:>14.6f}")
    lines.append(f"  {'total':<16}{r.total_cost:>14.6f}   (per 730-hour month: {r.monthly_cost():,.2f})")
    for note in r.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def report_html(r: "Report") -> str:
    run = r.run
    parts = [_kv([("from", run["start"]), ("to", run["now"]), ("simulated hours", round(run["elapsed_s"] / 3600, 3)),
                  ("seed", run["seed"]), ("events", run["events_run"]), ("trace digest", run["trace_digest"][:16])])]
    if r.workloads:
        parts.append("<h4>Workloads</h4>" + html_table(
            {k: {c: v.get(c) for c in _TEXT_COLUMNS["workloads"]} for k, v in r.workloads.items()}, "workload"))
    for svc, rows in r.services.items():
        if rows:
            parts.append(f"<h4>{esc(svc)}</h4>" + html_table(rows))
    parts.append("<h4>Cost (USD)</h4>" + html_table(
        [{"service": s, "cost": round(c, 6)} for s, c in r.cost_by_service.items()] +
        [{"service": "total", "cost": round(r.total_cost, 6)}]))
    if r.notes:
        parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in r.notes) + "</ul>")
    return _wrap("Simulation report", "".join(parts))


def report_figure(r: "Report", series: Iterable[str] | None = None) -> Any:
    """A matplotlib Figure: one panel per kind of time series, and cost by service."""
    import matplotlib.pyplot as plt

    from ..kernel.clock import instant_to_us

    wanted = set(series) if series is not None else None
    groups: dict[str, dict[str, tuple[list[float], list[float]]]] = {}
    for row in r.timeseries:
        label, _, tag = row["series"].partition(":")
        if wanted is not None and label not in wanted and row["series"] not in wanted:
            continue
        xs, ys = groups.setdefault(label, {}).setdefault(tag, ([], []))
        xs.append((instant_to_us(row["time"]) - instant_to_us(r.run["start"])) / 3_600_000_000)
        ys.append(row["value"])
    n = len(groups) + 1
    cols = 2
    nrows = math.ceil(n / cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(12, 3 * nrows), squeeze=False)
    flat = [a for row in axes for a in row]
    for ax, (label, tags) in zip(flat, sorted(groups.items())):
        for tag, (xs, ys) in sorted(tags.items()):
            ax.plot(xs, ys, label=tag, linewidth=1)
        ax.set_title(label)
        ax.set_xlabel("hours")
        if len(tags) <= 6:
            ax.legend(fontsize=7)
    ax = flat[len(groups)]
    costs = r.cost_by_service
    ax.bar(list(costs), list(costs.values()))
    ax.set_title(f"cost by service (USD), total {r.total_cost:.4f}")
    for extra in flat[len(groups) + 1:]:
        extra.set_visible(False)
    fig.tight_layout()
    plt.close(fig)
    return fig


__all__ = ["cloud_html", "esc", "execution_html", "execution_path", "function_html", "html_table", "machine_svg",
           "metrics_html", "report_figure", "report_html", "report_text", "table_html", "workload_html"]
