#!/usr/bin/env python3
"""Judge of tsdb-merge --delete, independent of our selector code: which series a deletion must
remove is decided here by plain Python regexps over the labels (full match, as PromQL anchors).

  delete_check.py export ORIG.jsonl GOT.jsonl RULE...
      GOT (an export after the delete) must hold exactly the series of ORIG (an export before it)
      that no RULE matches, each with the same samples.
  delete_check.py index BEFORE-ns3.jsonl AFTER-index.jsonl RULE...
      BEFORE-ns3: `tsdb-inspect index --ns 3 --json` of the directory before; AFTER-index: every
      item (`tsdb-inspect index --json`) after. The ns 4 marks must cover the MetricIDs of every
      matched series, no other item may mention a marked MetricID, and the names left (ns 3) must
      be the unmatched ones.
RULE is LABEL=~REGEX (__name__ for the metric name); a series is matched when any rule holds.
Prints a one-line summary; exit 1 with the differences otherwise.
"""
import json
import re
import sys


def rules_of(args):
    out = []
    for a in args:
        label, _, rx = a.partition("=~")
        out.append((label, re.compile(rx)))
    return out


def matched(metric, rules):
    return any(r.fullmatch(metric.get(label, "")) for label, r in rules)


def key(metric):
    return json.dumps(metric, sort_keys=True)


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def check_export(orig, got, rules):
    want = {key(o["metric"]): o for o in load(orig) if not matched(o["metric"], rules)}
    dropped = sum(1 for o in load(orig) if matched(o["metric"], rules))
    have = {key(o["metric"]): o for o in load(got)}
    errs = []
    for k in sorted(set(want) - set(have)):
        errs.append("missing: " + k)
    for k in sorted(set(have) - set(want)):
        errs.append("should be gone: " + k)
    for k in sorted(set(want) & set(have)):
        if want[k] != have[k]:
            errs.append("samples differ: " + k)
    if dropped == 0:
        errs.append("the rules match no series of " + orig + ": the check would prove nothing")
    if errs:
        print("\n".join(errs[:20]))
        return 1
    print("%d series kept with their samples, %d gone" % (len(want), dropped))
    return 0


def check_index(before_ns3, after, rules):
    doomed = {o["metric_ids"][0] for o in load(before_ns3) if matched(o["metric"], rules)}
    kept_names = {key(o["metric"]) for o in load(before_ns3) if not matched(o["metric"], rules)}
    items = load(after)
    marked = {i for o in items if o["ns"] == 4 for i in o["metric_ids"]}
    errs = []
    if not doomed:
        errs.append("the rules match no series: the check would prove nothing")
    if doomed - marked:
        errs.append("%d matched MetricIDs not marked deleted (ns 4), e.g. %s" % (len(doomed - marked), sorted(doomed - marked)[:3]))
    mentions = [o for o in items if o["ns"] != 4 and marked & set(o["metric_ids"])]
    if mentions:
        errs.append("%d items still mention a deleted MetricID, e.g. %s" % (len(mentions), mentions[0]["item"][:80]))
    names = {key(o["metric"]) for o in items if o["ns"] == 3}
    if names != kept_names:
        errs.append("names left (ns 3) differ: %d missing, %d extra" % (len(kept_names - names), len(names - kept_names)))
    if errs:
        print("\n".join(errs))
        return 1
    print("%d MetricIDs marked, no other item mentions them, %d names left" % (len(marked), len(names)))
    return 0


def main():
    mode, a, b = sys.argv[1:4]
    rules = rules_of(sys.argv[4:])
    return check_export(a, b, rules) if mode == "export" else check_index(a, b, rules)


if __name__ == "__main__":
    sys.exit(main())
