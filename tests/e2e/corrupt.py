#!/usr/bin/env python3
"""Corruption driver for t_inspect_corrupt.sh: flips, truncates, empties and deletes files of a
copy of a storage directory and runs `tsdb-inspect export` and `verify` on each damaged copy.

Prints one line: runs detected silent crashes unnamed. A run is
  detected  exit 1 and stderr names the damaged file, or the part file where the damage shows,
  silent    exit 0 with output different from the undamaged baseline (bytes no check can catch:
            the format has no checksums),
  crash     any other exit (signal, sanitizer report, timeout),
  unnamed   exit 1 without naming the file.
"""
import os, shutil, subprocess, sys

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

stats = dict(runs=0, detected=0, silent=0, crashes=0, unnamed=0)


def probe(path, label):
    stats["runs"] += 1
    rc, out, err = run("export", root)
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
    rc, out, err = run("verify", root)
    if rc not in (0, 1):
        stats["crashes"] += 1
        print(f"verify exit {rc} for {label}: {err[:500]}", file=sys.stderr)


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
