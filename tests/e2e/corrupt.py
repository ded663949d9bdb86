#!/usr/bin/env python3
"""Corruption driver for t_inspect_corrupt.sh: flips, truncates, empties and deletes files of a
copy of a storage directory and runs `tsdb-inspect export` and `verify` on each damaged copy.

Prints one line: runs detected silent crashes unnamed. A run is
  detected  exit 1 and stderr names the damaged file, or the part file where the damage shows,
  silent    exit 0 with output different from the undamaged baseline (bytes no check can catch:
            the format has no checksums),
  crash     any other exit (signal, sanitizer report, timeout),
  unnamed   exit 1 without naming the file.
With MERGE=path/to/tsdb-merge in the environment, every WRITER_EVERY-th damaged copy (default 1)
is also copied and force-merged (with --indexdb), and the writer must not make the damage worse:
  laundered  a part verify calls damaged did not survive the merge byte for byte (its damage would
             now be in the only copy), or the export after the merge differs from the export
             before it (exit status or bytes):
             damage carried into a new part changed what is served, or data was dropped. (A block
             whose MetricID no index knows is served by nobody before or after; a merge may carry
             it, as the server's does: data can outlive its index generation legitimately.)
"""
import json, os, shutil, subprocess, sys

tool, root, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
specs = sys.argv[4:]  # "relpath:mode[:step]" with mode flip|truncate|missing


def run(*args):
    try:
        p = subprocess.run([tool, *args], capture_output=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return -999, b"", "timeout"


rc, base, err = run("export", root)
if rc != 0:
    print(f"baseline export failed: {err}", file=sys.stderr)
    sys.exit(2)

stats = dict(runs=0, detected=0, silent=0, crashes=0, unnamed=0, merged=0, laundered=0)
merge_tool = os.environ.get("MERGE")
writer_every = int(os.environ.get("WRITER_EVERY", "1"))


def part_bytes(part):
    """Every file of a part directory, for "left untouched"."""
    out = {}
    for n in sorted(os.listdir(part)):
        with open(os.path.join(part, n), "rb") as f:
            out[n] = f.read()
    return out


def damaged_parts(verify_json):
    """Part directories verify names in a problem (relative to root)."""
    parts = set()
    for line in verify_json.decode("utf-8", "replace").splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("type") != "problem":
            continue
        rel = os.path.relpath(j.get("path", ""), root)
        if rel.startswith("..") or rel == ".":
            continue
        part = rel
        while part and not os.path.isfile(os.path.join(root, os.path.dirname(part), "parts.json")):
            part = os.path.dirname(part)
        if part and os.path.isdir(os.path.join(root, part)):
            parts.add(part)
    return parts


def run_merge(label, rc_before, out_before, damaged):
    work = root.rstrip("/") + ".writer"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(root, work)
    before = {p: part_bytes(os.path.join(work, p)) for p in damaged}
    try:
        p = subprocess.run([merge_tool, "--force", "--indexdb", "--jobs", "1", work], capture_output=True, timeout=timeout)
        mrc, merr = p.returncode, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        mrc, merr = -999, "timeout"
    stats["merged"] += 1
    if mrc not in (0, 1):
        stats["crashes"] += 1
        print(f"merge exit {mrc} for {label}: {merr[:500]}", file=sys.stderr)
    else:
        rc, out, err = run("export", work)
        if rc != rc_before or out != out_before:
            stats["laundered"] += 1
            print(f"merge exit {mrc} changed what export serves for {label}: export exit {rc_before} -> {rc}: "
                  f"{merr[:300]} {err[:300]}", file=sys.stderr)
        else:
            for p, files in before.items():
                dst = os.path.join(work, p)
                if not os.path.isdir(dst) or part_bytes(dst) != files:
                    stats["laundered"] += 1
                    print(f"merge exit {mrc} consumed damaged part {p} for {label}: {merr[:300]}", file=sys.stderr)
                    break
    shutil.rmtree(work, ignore_errors=True)


def probe(path, label):
    stats["runs"] += 1
    rc, out, err = run("export", root)
    rc_export, out_export = rc, out
    name = os.path.basename(path)
    if rc == 0:
        if out != base:
            stats["silent"] += 1
    elif rc == 1:
        stats["detected"] += 1
        # The error names the file where the damage shows: the damaged file itself or, for a
        # cross-file inconsistency (a metaindex row against its index block), the other file.
        files = ("metaindex.bin", "index.bin", "timestamps.bin", "values.bin", "items.bin", "lens.bin",
                 "metadata.json", "parts.json", "MetricID")
        if name not in err and not any(f in err for f in files):
            stats["unnamed"] += 1
            print(f"unnamed error for {label}: {err[:300]}", file=sys.stderr)
    else:
        stats["crashes"] += 1
        print(f"export exit {rc} for {label}: {err[:500]}", file=sys.stderr)
    rc, out, err = run("verify", "--json", root)
    if rc not in (0, 1):
        stats["crashes"] += 1
        print(f"verify exit {rc} for {label}: {err[:500]}", file=sys.stderr)
    if merge_tool and stats["runs"] % writer_every == 0:
        run_merge(label, rc_export, out_export, damaged_parts(out) if rc == 1 else set())


for spec in specs:
    rel, mode, *rest = spec.split(":")
    step = int(rest[0]) if rest else 1
    path = os.path.join(root, rel)
    orig = open(path, "rb").read()
    try:
        if mode == "flip":
            for i in range(0, len(orig), step):
                b = bytearray(orig)
                b[i] ^= 0xFF
                open(path, "wb").write(b)
                probe(path, f"flip {rel}@{i}")
        elif mode == "truncate":
            n = len(orig)
            for k in sorted({0, 1, 2, 7, 8, n // 3, n // 2, n - 9, n - 1}):
                if 0 <= k < n:
                    open(path, "wb").write(orig[:k])
                    probe(path, f"truncate {rel} to {k}")
        elif mode == "missing":
            os.remove(path)
            probe(path, f"missing {rel}")
            open(path, "wb").close()
            probe(path, f"empty {rel}")
    finally:
        open(path, "wb").write(orig)

print(" ".join(f"{k}={v}" for k, v in stats.items()))
