#!/usr/bin/env python3
"""Compares two /api/v1/export JSON-lines files series by series.

Usage: series_compare.py GOT WANT
Series are keyed by their "metric" object. Timestamps must be equal exactly; values must be equal
or agree to 12 significant digits (relative 1e-12). The second rule exists because a value that
went float -> text -> float -> decimal mantissa again can move in its last stored digit:
VictoriaMetrics keeps one decimal exponent per block and truncates toward zero when it has to
scale a mantissa down (encoding.md §9.3-§9.4; its slow path keeps 12 to 15 digits), so a
re-ingested 3.141592653589 (really 3.14159265358899997...) can come back as 3.141592653588.
vmstorage's own export -> import round trip does the same. Prints "ok EXACT/TOTAL values bit-identical" or the first differences.
"""
import json, math, sys

def load(path):
    out = {}
    for line in open(path):
        s = json.loads(line)
        key = json.dumps(s["metric"], sort_keys=True)
        if key in out:
            print(f"series twice in {path}: {key}")
            sys.exit(1)
        out[key] = s
    return out

def num(v):
    return {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}.get(v, v) if isinstance(v, str) else float(v)

got, want = load(sys.argv[1]), load(sys.argv[2])
problems, exact, total = [], 0, 0
if got.keys() != want.keys():
    problems.append(f"series differ: {len(got.keys() - want.keys())} extra, {len(want.keys() - got.keys())} missing")
for key in got.keys() & want.keys():
    g, w = got[key], want[key]
    if g["timestamps"] != w["timestamps"]:
        problems.append(f"{key}: timestamps differ")
        continue
    for a, b in zip(g["values"], w["values"]):
        total += 1
        a, b = num(a), num(b)
        if a == b or (math.isnan(a) and math.isnan(b)):
            exact += 1
        elif not (math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-12 * max(abs(a), abs(b))):
            problems.append(f"{key}: value {a!r} != {b!r}")
if problems:
    print("\n".join(problems[:10]))
    sys.exit(1)
print(f"ok {exact}/{total} values bit-identical")
