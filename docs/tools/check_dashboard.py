#!/usr/bin/env python3
"""Checks docs/grafana-dashboard.json against a real node's /metrics.

    python3 docs/tools/check_dashboard.py                  # starts a node (Release build)
    python3 docs/tools/check_dashboard.py --metrics-url http://127.0.0.1:7700/metrics
    python3 docs/tools/check_dashboard.py --dashboard other.json

Checks that the file is JSON and an importable dashboard (a DS_PROMETHEUS input that every
panel and query uses, unique panel ids, panels inside the 24-column grid and not overlapping),
and that every series a query names exists in the node's /metrics output, with the labels and
label values the query filters on, groups by or shows in its legend. Prints each problem and
exits 1 if there is any, else prints a summary and exits 0. Python standard library only.
"""

import argparse
import json
import os
import re
import sys
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ beside the docs
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nodeproc import DEFAULT_BINARY, REPO, Node  # noqa: E402

DASHBOARD = os.path.join(REPO, "docs", "grafana-dashboard.json")
DATASOURCE_UID = "${DS_PROMETHEUS}"
# Labels Prometheus adds when it scrapes; le belongs to every histogram bucket.
SCRAPE_LABELS = {"instance", "job"}

SERIES = re.compile(r"\b(coordinator_[a-z0-9_]+)\b(\{[^}]*\})?")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"')
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
LEGEND = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+")
LABEL_PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """{sample name: {label: set of values}} for every sample name /metrics can produce."""
    series = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            names = [name]
            if kind.strip() == "histogram":
                names = [name + "_bucket", name + "_sum", name + "_count"]
            for n in names:
                series.setdefault(n, {})
        elif line and not line.startswith("#"):
            m = SAMPLE.match(line)
            if not m:
                continue
            labels = series.setdefault(m.group(1), {})
            for key, value in LABEL_PAIR.findall(m.group(2) or ""):
                labels.setdefault(key, set()).add(value)
    return series


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels", []))


def check_structure(dash, problems):
    inputs = [i.get("name") for i in dash.get("__inputs", [])]
    if "DS_PROMETHEUS" not in inputs:
        problems.append("no DS_PROMETHEUS entry in __inputs")
    for key in ("title", "uid", "panels", "schemaVersion"):
        if key not in dash:
            problems.append(f"dashboard has no {key}")
    ids = set()
    boxes = []
    for p in all_panels(dash.get("panels", [])):
        pid = p.get("id")
        where = f"panel {pid} ({p.get('title')!r})"
        if pid in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(pid)
        g = p.get("gridPos", {})
        if not all(k in g for k in ("h", "w", "x", "y")):
            problems.append(f"{where}: incomplete gridPos")
            continue
        if g["x"] < 0 or g["x"] + g["w"] > 24:
            problems.append(f"{where}: outside the 24-column grid")
        for other, og in boxes:
            if (g["x"] < og["x"] + og["w"] and og["x"] < g["x"] + g["w"] and
                    g["y"] < og["y"] + og["h"] and og["y"] < g["y"] + g["h"]):
                problems.append(f"{where}: overlaps {other}")
        boxes.append((where, g))
        if p.get("type") == "row":
            continue
        if p.get("datasource", {}).get("uid") != DATASOURCE_UID:
            problems.append(f"{where}: datasource is not {DATASOURCE_UID}")
        targets = p.get("targets", [])
        if not targets:
            problems.append(f"{where}: no queries")
        for t in targets:
            if t.get("datasource", {}).get("uid") != DATASOURCE_UID:
                problems.append(f"{where} query {t.get('refId')}: datasource is not "
                                f"{DATASOURCE_UID}")
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query" and v.get("datasource", {}).get("uid") != DATASOURCE_UID:
            problems.append(f"variable {v.get('name')}: datasource is not {DATASOURCE_UID}")


def queries(dash):
    """(where, expr, legendFormat) of every query, variables included."""
    for p in all_panels(dash.get("panels", [])):
        for t in p.get("targets", []):
            yield (f"panel {p.get('id')} ({p.get('title')!r}) query {t.get('refId')}",
                   t.get("expr", ""), t.get("legendFormat", ""))
    for v in dash.get("templating", {}).get("list", []):
        q = v.get("query")
        expr = q.get("query", "") if isinstance(q, dict) else (q or "")
        yield (f"variable {v.get('name')}", expr, "")


def check_query(where, expr, legend, series, problems, used):
    names = SERIES.findall(expr)
    if not names and "coordinator_" not in expr:
        problems.append(f"{where}: names no coordinator series: {expr}")
        return
    labels_here = set()
    for name, selector in names:
        used.add(name)
        if name not in series:
            problems.append(f"{where}: {name} is not in /metrics")
            continue
        known = series[name]
        labels_here |= set(known)
        for key, op, value in MATCHER.findall(selector or ""):
            if key in SCRAPE_LABELS:
                continue
            if key not in known:
                problems.append(f"{where}: {name} has no label {key}")
                continue
            # A literal value or an alternation of literals must be a value /metrics shows.
            if op in ("=", "=~") and re.fullmatch(r"[A-Za-z0-9_.+|]+", value):
                for alt in value.split("|") if op == "=~" else [value]:
                    if alt not in known[key]:
                        problems.append(f"{where}: {name}{{{key}}} never has the value "
                                        f"{alt!r}")
    wanted = set()
    for group in GROUPING.findall(expr):
        wanted |= {x.strip() for x in group.split(",") if x.strip()}
    wanted |= set(LEGEND.findall(legend))
    for key in sorted(wanted - SCRAPE_LABELS - {"le"} - labels_here):
        # A label of a series without samples yet cannot be checked: say so, do not fail.
        if any(not series.get(n) for n, _ in names):
            print(f"note: {where}: label {key} not checked (series has no samples yet)")
            continue
        problems.append(f"{where}: no series in the query has the label {key}")
    if "le" in wanted and not any(n.endswith("_bucket") for n, _ in names):
        problems.append(f"{where}: groups by le without a histogram bucket series")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dashboard", default=DASHBOARD)
    ap.add_argument("--metrics-url", help="a running node's /metrics (default: start one)")
    ap.add_argument("--binary", default=DEFAULT_BINARY)
    args = ap.parse_args()

    with open(args.dashboard, encoding="utf-8") as f:
        try:
            dash = json.load(f)
        except json.JSONDecodeError as e:
            print(f"{args.dashboard}: not JSON: {e}")
            return 1
    if args.metrics_url:
        text = urllib.request.urlopen(args.metrics_url, timeout=10).read().decode()
    else:
        with Node(args.binary) as node:
            text = urllib.request.urlopen(node.http + "/metrics", timeout=10).read().decode()
    series = parse_metrics(text)

    problems = []
    check_structure(dash, problems)
    used = set()
    count = 0
    for where, expr, legend in queries(dash):
        count += 1
        check_query(where, expr, legend, series, problems, used)
    for p in problems:
        print(f"FAIL {p}")
    if problems:
        print(f"{len(problems)} problem(s) in {args.dashboard}")
        return 1
    families = sorted({re.sub(r"_(bucket|sum|count)$", "", n) for n in used})
    print(f"ok: {count} queries over {len(families)} metric families, all in /metrics: "
          + ", ".join(families))
    return 0


if __name__ == "__main__":
    sys.exit(main())
