#!/usr/bin/env python3
"""Independent model of tsdb-merge --retention-filter / --downsample, for t_rules.sh.

  rules_model.py BEFORE.jsonl GOT.jsonl NOW_MS SLICE_START_MS SLICE_MS

BEFORE is the export before the run. The rules are the ones t_rules.sh passes (kept here in
Python, not parsed from the flags):
  retention filter {mode="idle"}:100m
  downsample       {cpu="0"}:90m:5m, {cpu="0"}:150m:10m, then every other series 60m:2m
A row older than its series' deadline goes. Otherwise the level with the largest offset below the
row's age picks its interval d; of the rows sharing (part, level, bucket) only the one with the
largest timestamp stays (the largest value on a tie), bucket = ceil(ts / d), as vmstorage's dedup
keeps one sample per interval (k*d - d, k*d]. Rules run on each written block, and each part is
rewritten alone, so rows of different parts never share a bucket; the parts are the time slices
the test imported (SLICE_MS long from SLICE_START_MS).
GOT (the export after the run) must equal the model series for series, sample for sample
(values compared as numbers). Prints a summary; exit 1 with the differences otherwise.
"""
import json
import sys

M = 60 * 1000


def rules_for(metric):
    deadline = None
    if metric.get("mode") == "idle":
        deadline = 100 * M
    if metric.get("cpu") == "0":
        levels = [(90 * M, 5 * M), (150 * M, 10 * M)]
    else:
        levels = [(60 * M, 2 * M)]
    return deadline, levels


def key_of(metric):
    return json.dumps(metric, sort_keys=True)


def main():
    before, got_path = sys.argv[1], sys.argv[2]
    now, start, slice_ms = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    want = {}
    rows_in = 0
    with open(before) as f:
        for raw in f:
            obj = json.loads(raw)
            rows_in += len(obj["timestamps"])
            deadline, levels = rules_for(obj["metric"])
            kept = {}
            plain = []
            for ts, val in zip(obj["timestamps"], obj["values"]):
                if deadline is not None and ts < now - deadline:
                    continue
                level = None
                for k, (off, _) in enumerate(levels):
                    if ts < now - off:
                        level = k
                if level is None:
                    plain.append((ts, val))
                    continue
                d = levels[level][1]
                key = ((ts - start) // slice_ms, level, -(-ts // d))
                cur = kept.get(key)
                if cur is None or ts > cur[0] or (ts == cur[0] and float(val) > float(cur[1])):
                    kept[key] = (ts, val)
            rows = sorted(list(kept.values()) + plain, key=lambda r: r[0])
            if rows:
                want[key_of(obj["metric"])] = rows
    got = {}
    with open(got_path) as f:
        for raw in f:
            obj = json.loads(raw)
            got[key_of(obj["metric"])] = list(zip(obj["timestamps"], obj["values"]))
    errs = []
    for k in sorted(set(want) | set(got)):
        w, g = want.get(k), got.get(k)
        if w is None or g is None:
            errs.append(("missing: " if g is None else "unexpected: ") + k)
            continue
        if [t for t, _ in w] != [t for t, _ in g]:
            errs.append("timestamps differ: %s: want %d rows, got %d" % (k, len(w), len(g)))
        elif any(float(a) != float(b) for (_, a), (_, b) in zip(w, g)):
            errs.append("values differ: " + k)
    rows_want = sum(len(v) for v in want.values())
    if rows_want == rows_in:
        errs.append("the model drops nothing: the check would prove nothing")
    if errs:
        print("\n".join(errs[:20]))
        return 1
    print("%d series, %d of %d rows kept, as the model keeps them" % (len(want), rows_want, rows_in))
    return 0


if __name__ == "__main__":
    sys.exit(main())
