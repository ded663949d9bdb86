#!/usr/bin/env python3
"""Block-level and index-level comparison of a tsdb-import directory with a server-written one.

usage: import_compare.py TSDB_INSPECT OURS THEIRS

MetricIDs differ between the two (each side takes them from its own clock), so every MetricID is
replaced by the canonical MetricName it stands for (the ns 3 item of the same directory).
JobID and InstanceID of a series with fewer than 1 / 2 tags are not a function of its name in
v1.93.7: they are left over from the TSID of the row the server handled before (see
metricname-tsid.md §5.2 vs importer.cpp), and vminsert parses blocks of lines concurrently, so that
row depends on timing. Those fields are therefore compared only where they come from tags, and
the blocks of such series only as a set; how many of them agree anyway is printed.
- Data: the parts of the only partition, in MinTimestamp order, are compared part by part: every
  block's rows, marshal types, scale, precision bits, first value, Min/MaxTimestamp, decoded
  timestamps and mantissas (as a multiset), and the ORDER of the blocks whose TSID prefix (tenant,
  MetricGroupID, JobID, InstanceID) is the same on both sides: those of series with at least two
  tags, which the name fixes, and those whose leftover JobID/InstanceID happen to agree (blocks that
  tie on the prefix are compared as a set, since their order depends on MetricIDs). Offsets and sizes are not
  compared (zstd bytes differ between builds).
- Index: the multiset of items of curr and prev, each multi-MetricID tag row expanded into
  single-MetricID rows (merges combine rows differently), MetricIDs mapped to names.
Prints one line per check and exits 1 on any difference.
"""
import collections, json, subprocess, sys

inspect, ours, theirs = sys.argv[1:4]

def run(*args):
    return [json.loads(l) for l in subprocess.run([inspect, *args], check=True, capture_output=True, text=True).stdout.splitlines() if l]

def tenant_bytes(d):
    """8 for a cluster directory, 0 for single-node (as tsdb-inspect parts detects it)."""
    flavour = [p for p in run("parts", "--json", d) if p.get("type") == "flavour"][0]
    return 8 if flavour["tenancy"] == "cluster" else 0

TB = tenant_bytes(ours)
if tenant_bytes(theirs) != TB:
    print("DIFF flavour: ours and theirs differ in tenancy")
    sys.exit(1)

def tag_count(canonical_hex):
    b = bytes.fromhex(canonical_hex)[TB:]  # after the tenant; escaped 0x01 is 00 31, never a raw 01
    return (b.count(1) - 1) // 2

inherited = collections.Counter()  # (side, field, agrees?) for the report

def index_items(d):
    items = run("index", "--json", d)
    names = {}
    for it in items:
        if it["ns"] == 3:
            names[it["metric_ids"][0]] = it["item"][2 * (1 + TB + 8):]  # the canonical MetricName bytes (hex)
    logical = collections.Counter()
    # Names with several MetricIDs in one index. (Per partition index, a series may have a
    # MetricID of its own in every partition: the server makes one whenever its TSID cache lacks
    # the series, and so does an import run for a month new to the directory.)
    ids_of = collections.defaultdict(set)
    for it in items:
        if it["ns"] == 3:
            ids_of[(it.get("partition", ""), it["item"][2 * (1 + TB + 8):])].add(it["metric_ids"][0])
    dup = {n for (_, n), ids in ids_of.items() if len(ids) > 1}
    for it in items:
        base = {k: v for k, v in it.items() if k not in ("generation", "index", "part", "item", "metric_ids")}
        for mid in it.get("metric_ids", []):
            name = names.get(mid, "?%s" % mid)
            b = dict(base, name=name)
            if "tsid" in b:
                t = {k: v for k, v in b["tsid"].items() if k != "metric_id"}
                n = tag_count(name) if name[0] != "?" else 2
                if n < 1: t.pop("job_id")
                if n < 2: t.pop("instance_id")
                b["tsid"] = t
            text = json.dumps(b, sort_keys=True)
            # A series the server registered under two MetricIDs has its items twice: count once.
            if name in dup and logical[text]: continue
            logical[text] += 1
    return names, logical, dup

def tsid_fields(d, names):
    """name -> the set of (JobID, InstanceID) of its MetricIDs (a name may have several)."""
    out = collections.defaultdict(set)
    for it in run("index", "--json", "--ns", "2", d):
        out[names.get(it["metric_ids"][0])].add((it["tsid"]["job_id"], it["tsid"]["instance_id"]))
    return {n: frozenset(v) for n, v in out.items()}

def blocks(d, names, comparable, merged_names):
    parts = [p for p in run("parts", "--json", d) if p.get("type") == "data_part" and p.get("listed")]
    parts.sort(key=lambda p: (p["min_timestamp"], p["name"]))
    out = []
    merged = collections.defaultdict(list)
    for p in parts:
        ordered, everything = [], collections.Counter()
        for b in run("blocks", "--rows", "--json", p["path"]):
            t = b["tsid"]
            key = (t.get("account_id", 0), t.get("project_id", 0), t["metric_group_id"], t["job_id"], t["instance_id"])
            body = {k: v for k, v in b.items() if k not in ("block", "index_block", "tsid", "values", "timestamps_block_offset",
                                                           "values_block_offset", "timestamps_block_size", "values_block_size")}
            # Whether a block is stored zstd-compressed depends on the compressed size, which
            # differs between zstd builds (Go's and libzstd): compare the encoding without it.
            for k in ("timestamps_marshal_type", "values_marshal_type"):
                if body.get(k, "").startswith("ZSTD"): body[k] = body[k][4:]
            name = names.get(t["metric_id"], "?")
            if name in merged_names:
                # Compared as the series' samples: how the server split them across its MetricIDs
                # is its own race.
                merged[name].extend(zip(b["timestamps"], map(str, b["values"])))
                continue
            body["name"] = name
            text = json.dumps(body, sort_keys=True)
            everything[text] += 1
            if name in comparable:
                ordered.append((key, text))
        out.append((p["rows_count"], len([1 for b in everything.elements()]), ordered, everything))
    return out, {n: sorted(v) for n, v in merged.items()}

def grouped(seq):
    g = []
    for key, body in seq:
        if g and g[-1][0] == key:
            g[-1][1].append(body)
        else:
            g.append((key, [body]))
    return [(k, sorted(v)) for k, v in g]

bad = 0
names_a, items_a, dup_a = index_items(ours)
names_b, items_b, dup_b = index_items(theirs)
if dup_a - dup_b:
    bad += 1
    print("DIFF ours registers %d series under several MetricIDs in one index" % len(dup_a - dup_b))
if dup_b:
    print("info: the server registered %d series under two MetricIDs (its ingestion race); their items are counted once "
          "and their blocks compared as merged samples" % len(dup_b))
if items_a == items_b:
    print("ok index: %d logical items equal" % sum(items_a.values()))
elif set(items_a) == set(items_b):
    # The same items, some repeated: the server sometimes writes an item twice (in two parts of a
    # table, when two of its ingestion workers race); mergeset keeps both.
    print("ok index: %d distinct logical items equal (repeated: %d in ours, %d in theirs)"
          % (len(items_a), sum(items_a.values()) - len(items_a), sum(items_b.values()) - len(items_b)))
else:
    bad += 1
    only_a, only_b = items_a - items_b, items_b - items_a
    print("DIFF index: %d only in ours, %d only in theirs" % (sum(only_a.values()), sum(only_b.values())))
    for x in list(only_a)[:3]: print("  ours:  ", x)
    for x in list(only_b)[:3]: print("  theirs:", x)

fa, fb = tsid_fields(ours, names_a), tsid_fields(theirs, names_b)
for name, fields in fb.items():
    if name is None or name not in fa: continue
    n = tag_count(name)
    if n < 2:
        inherited["agree" if fa[name] == fields else "differ"] += 1
print("info: %d series with fewer than 2 tags: JobID/InstanceID as the server's for %d, different for %d (timing-dependent in the server)"
      % (sum(inherited.values()), inherited["agree"], inherited["differ"]))

# Blocks whose TSID prefix is the same on both sides: tags fix it, or the leftovers agree.
comparable = {n for n in fb if n is not None and n in fa and (tag_count(n) >= 2 or fa[n] == fb[n])}
(pa, ma), (pb, mb) = blocks(ours, names_a, comparable, dup_b), blocks(theirs, names_b, comparable, dup_b)
if ma != mb:
    bad += 1
    print("DIFF samples of the series the server registered twice")
elif dup_b:
    print("ok samples of the %d series the server registered twice" % len(dup_b))
if len(pa) != len(pb):
    bad += 1
    print("DIFF data: %d parts in ours, %d in theirs" % (len(pa), len(pb)))
for i, (a, b) in enumerate(zip(pa, pb)):
    if a[:2] != b[:2]:
        bad += 1
        print("DIFF part %d: rows/blocks (outside doubly registered series) %s vs %s" % (i, a[:2], b[:2]))
        continue
    ga, gb = grouped(a[2]), grouped(b[2])
    if a[3] != b[3]:
        bad += 1
        only_a = a[3] - b[3]
        print("DIFF part %d: %d blocks differ, e.g.\n  ours: %s" % (i, sum(only_a.values()), list(only_a)[0][:400]))
    elif ga != gb:
        bad += 1
        for x, y in zip(ga, gb):
            if x != y:
                print("DIFF part %d: block order differs at TSID prefix %s vs %s" % (i, x[0], y[0]))
                break
    else:
        print("ok part %d: %d blocks, %d rows equal; order of the %d blocks with the same TSID prefix on both sides equal" % (i, a[1], a[0], len(a[2])))
sys.exit(1 if bad else 0)
