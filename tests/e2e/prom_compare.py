#!/usr/bin/env python3
"""Judges tsdb-import --from prometheus by what the real tools wrote (tests/fixtures/prom-2.42).

  prom_compare.py input OURS SERVER A.om [B.om ...]
      OURS (our export, JSON lines) must hold exactly the OpenMetrics inputs' samples: every series,
      every timestamp exact, every value exact (parsed here as Python floats, independently of the
      tools; NaN samples dropped, as the server drops them), except where the server's float-to-decimal conversion (FromFloat) changes a value:
      there ours must be what the server stored from the same blocks (SERVER, its export after
      vmctl). Where the inputs give one series two values at one timestamp (overlapping blocks),
      ours must be one of them.
  prom_compare.py server OURS VMCTL REMOTE_WRITE
      VMCTL is the server's export after `vmctl prometheus` read the same directory, REMOTE_WRITE the
      export of the server Prometheus remote-wrote to while it scraped. Series remote-written must
      equal that export exactly (staleness markers included, null in both); every other series must
      equal vmctl's, which stores both samples of a timestamp that two overlapping blocks hold
      (ours keeps one of them).
  prom_compare.py filter FULL OUT SELECTOR_JSON START END
      OUT must be FULL restricted to series whose labels satisfy every (label, regex) of
      SELECTOR_JSON and to START <= t <= END.
Prints one line of counts; exit 1 with the first differences. EXCEPT (environment), a regexp:
series whose JSON key matches it are left out on both sides.
"""
import json
import re
import sys


def unescape(v):
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\" and i + 1 < len(v):
            n = v[i + 1]
            out.append({"n": "\n", "\\": "\\", '"': '"'}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_om(path, series):
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        labels = {}
        if "{" in line:
            name, rest = line.split("{", 1)
            i = 0
            while rest[i] != "}":
                eq = rest.index("=", i)
                key = rest[i:eq].strip(", ")
                j = eq + 2
                val = []
                while rest[j] != '"':
                    if rest[j] == "\\":
                        val.append(rest[j:j + 2])
                        j += 2
                    else:
                        val.append(rest[j])
                        j += 1
                labels[key] = unescape("".join(val))
                i = j + 1
                if rest[i] == ",":
                    i += 1
            tail = rest[i + 1:].split()
        else:
            name, *tail = line.split()
        labels["__name__"] = name
        value, ts = tail[0], tail[1]
        sec, frac = ts.split(".") if "." in ts else (ts, "0")
        ms = int(sec) * 1000 + int((frac + "000")[:3])
        v = float(value)  # Python reads "+Inf", "-Inf", "NaN" and Go-style numbers
        if EXCEPT and EXCEPT.search(key_of(labels)):
            continue
        if v != v:
            continue  # a NaN sample (not a staleness marker, which text cannot hold): the server drops it
        series.setdefault(key_of(labels), {}).setdefault(ms, []).append(v)


def key_of(labels):
    return json.dumps(labels, sort_keys=True, ensure_ascii=False)


import os
EXCEPT = re.compile(os.environ["EXCEPT"]) if os.environ.get("EXCEPT") else None


def load_export(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        o = json.loads(line)
        if EXCEPT and EXCEPT.search(key_of(o["metric"])):
            continue
        s = out.setdefault(key_of(o["metric"]), [])
        s.extend(zip(o["timestamps"], [value(v) for v in o["values"]]))
    return {k: sorted(v, key=lambda x: x[0]) for k, v in out.items()}


def value(v):
    if v is None:
        return "null"
    if isinstance(v, str):
        return float(v.replace("Infinity", "inf"))
    return float(v)


def same(a, b):
    return a == b or (a != a and b != b)


def report(problems, counts):
    print(counts)
    if problems:
        print("\n".join(problems[:20]))
        sys.exit(1)


def main():
    mode = sys.argv[1]
    problems = []
    if mode == "input":
        ours, server = load_export(sys.argv[2]), load_export(sys.argv[3])
        want = {}
        for p in sys.argv[4:]:
            parse_om(p, want)
        n = conflicts = converted = 0
        for k, by_ts in want.items():
            got = ours.get(k)
            if got is None:
                problems.append("missing series " + k)
                continue
            if [t for t, _ in got] != sorted(by_ts):
                problems.append("%s: timestamps differ: %d ours, %d input" % (k, len(got), len(by_ts)))
                continue
            at_server = {}
            for t, v in server.get(k, []):
                at_server.setdefault(t, []).append(v)
            for t, v in got:
                vals = by_ts[t]
                n += 1
                if len(set(vals)) > 1:
                    conflicts += 1
                if any(same(v, w) for w in vals):
                    continue
                if any(same(v, w) for w in at_server.get(t, [])) and len(vals) == 1:
                    converted += 1
                    continue
                problems.append("%s t=%d: ours %r, input %r, server %r" % (k, t, v, vals, at_server.get(t)))
        for k in ours:
            if k not in want:
                problems.append("extra series " + k)
        report(problems, "%d series, %d samples (%d exact, %d as the server's FromFloat stores them), "
               "%d timestamps with two values in the input" % (len(want), n, n - converted, converted, conflicts))
    elif mode == "server":
        ours, vmctl, rw = (load_export(p) for p in sys.argv[2:5])
        n_rw = n_vmctl = dups = 0
        for k in sorted(set(ours) | set(vmctl) | set(rw)):
            got = ours.get(k, [])
            if k in rw:
                n_rw += len(got)
                if got != rw[k]:
                    problems.append("%s: ours %r, remote write %r" % (k, got[:6], rw[k][:6]))
                continue
            by_ts = {}
            for t, v in vmctl.get(k, []):
                by_ts.setdefault(t, []).append(v)
            dups += sum(len(v) - 1 for v in by_ts.values())
            if [t for t, _ in got] != sorted(by_ts):
                problems.append("%s: %d timestamps ours, %d vmctl" % (k, len(got), len(by_ts)))
                continue
            for t, v in got:
                n_vmctl += 1
                if not any(same(v, w) for w in by_ts[t]):
                    problems.append("%s t=%d: ours %r, vmctl %r" % (k, t, v, by_ts[t]))
        report(problems, "%d series: %d samples as remote write stored them, %d as vmctl did (it stored %d duplicates)"
               % (len(ours), n_rw, n_vmctl, dups))
    elif mode == "filter":
        full, out = load_export(sys.argv[2]), load_export(sys.argv[3])
        sel = json.loads(sys.argv[4])
        start, end = int(sys.argv[5]), int(sys.argv[6])
        want = {}
        for k, samples in full.items():
            labels = json.loads(k)
            if all(re.fullmatch(rx, labels.get(l, "")) for l, rx in sel.items()):
                kept = [(t, v) for t, v in samples if start <= t <= end]
                if kept:
                    want[k] = kept
        for k in set(want) | set(out):
            if want.get(k) != out.get(k):
                problems.append("%s: ours %r, want %r" % (k, (out.get(k) or [])[:4], (want.get(k) or [])[:4]))
        report(problems, "%d of %d series kept, %d samples" % (len(want), len(full), sum(map(len, want.values()))))
    else:
        sys.exit("unknown mode " + mode)


main()
