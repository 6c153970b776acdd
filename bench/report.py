"""A Markdown table of a results file, or of two (before → after), for docs/PERFORMANCE.md.

python -m bench.report bench/results.json [before.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _cell(after: Any, before: Any = None) -> str:
    if after is None:
        return "—"
    return f"{before} → {after}" if before is not None and before != after else str(after)


def table(after: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    head = "| page | p50 | p95 | p99 | p50 @10 | p95 @10 | req/s @10 | requêtes (1/10) | SQL | nu | ratio au nu |"
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|---|"]
    old_pages = (before or {}).get("pages", {})
    for name, r in after["pages"].items():
        if "error" in r:
            lines.append(f"| {name} | erreur {r['error']} |" + " |" * 9)
            continue
        b = old_pages.get(name, {})
        keys = ("p50_ms", "p95_ms", "p99_ms", "p50_ms_10", "p95_ms_10", "rps_10")
        cells = [_cell(r[k], b.get(k)) for k in keys]
        queries = f"{r['queries']}/{r['queries_tenth']}"
        cells += [queries, _cell(r["sql_floor_ms"], b.get("sql_floor_ms")), _cell(r["naked_p50_ms"])]
        cells.append(_cell(r["ratio_to_naked"], b.get("ratio_to_naked")))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| export | lignes | secondes | mémoire (Mo) |", "|---|---|---|---|"]
    old_exports = (before or {}).get("exports", {})
    for name, e in after["exports"].items():
        b = old_exports.get(name, {})
        seconds, peak = _cell(e["seconds"], b.get("seconds")), _cell(e["peak_mb"], b.get("peak_mb"))
        lines.append(f"| {name} | {e['rows']} | {seconds} | {peak} |")
    return "\n".join(lines)


if __name__ == "__main__":
    after = json.loads(Path(sys.argv[1]).read_text())
    before = json.loads(Path(sys.argv[2]).read_text()) if len(sys.argv) > 2 else None
    print(table(after, before))
