#!/usr/bin/env python3
"""Block-level resharding (tsdb-route --from-storage) against text routing.

usage: reshard_check.py sort-labels <IN >OUT
         rewrites exposition lines with their labels sorted by name: the order --from-storage
         assumes (the stored name keeps no other), so text routing of OUT is the reference
       reshard_check.py compare TENANT=ROUTED_DIR... -- TENANT=node-<i>.jsonl...
         ROUTED_DIR: a text tsdb-route --out-dir (node-<i>_*.prom) of one tenant's rows;
         node-<i>.jsonl: `tsdb-inspect export --tenant TENANT` of new node i.
         Each new node must hold exactly the series text routing sends to it (sets of sorted
         label pairs per tenant and node); exit 1 otherwise or when nothing was compared.
       reshard_check.py compare-subset ...   (same arguments)
         the same, but a node may lack series text routing sends it (series deleted in the source):
         every exported series must be on a node text routing sends it to.
"""
import glob
import os
import json
import re
import sys
from collections import defaultdict

LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_:]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
ESC = {'\\\\': '\\', '\\"': '"', '\\n': '\n'}


def unescape(v):
    return re.sub(r'\\[\\"n]', lambda m: ESC[m.group(0)], v)


def line_series(line):
    line = line.strip()
    if not line or line.startswith('#'):
        return None
    if '{' in line:
        name, rest = line.split('{', 1)
        inner = rest[:rest.rindex('}')]
        pairs, pos = [], 0
        while pos < len(inner):
            m = LABEL.match(inner, pos)
            if not m:
                break
            pairs.append((m.group(1), unescape(m.group(2))))
            pos = m.end()
    else:
        name, pairs = line.split()[0], []
    pairs = [p for p in pairs if p[1] != '']
    return tuple(sorted([('__name__', name.strip())] + pairs))


def sort_labels():
    for line in sys.stdin:
        if line.startswith('#') or '{' not in line:
            sys.stdout.write(line)
            continue
        i, j = line.index('{'), line.rindex('}')
        inner, pairs, pos = line[i + 1:j], [], 0
        while pos < len(inner):
            m = LABEL.match(inner, pos)
            if not m:
                break
            pairs.append((m.group(1), m.group(2)))
            pos = m.end()
        pairs.sort(key=lambda p: p[0])
        sys.stdout.write(line[:i] + '{' + ','.join('%s="%s"' % p for p in pairs) + '}' + line[j + 1:])
    return 0


def main(argv):
    if argv[:1] == ['sort-labels']:
        return sort_labels()
    assert argv[:1] in (['compare'], ['compare-subset']), __doc__
    subset = argv[0] == 'compare-subset'
    argv = argv[1:]
    sep = argv.index('--')
    want = defaultdict(set)  # node -> {(tenant, series)}
    for arg in argv[:sep]:
        tenant, path = arg.split('=', 1)
        for f in glob.glob(os.path.join(path, 'node-*.prom')):
            node = int(os.path.basename(f)[5:].split('_')[0])
            for line in open(f, encoding='utf-8'):
                s = line_series(line)
                if s:
                    want[node].add((tenant, s))
    got = defaultdict(set)
    for arg in argv[sep + 1:]:
        tenant, path = arg.split('=', 1)
        node = int(os.path.basename(path)[5:].split('.')[0])
        for line in open(path, encoding='utf-8'):
            m = json.loads(line)['metric']
            got[node].add((tenant, tuple(sorted(m.items()))))
    bad = 0
    for node in sorted(set(want) | set(got)):
        missing, extra = want[node] - got[node], got[node] - want[node]
        if subset:
            missing = set()
        if missing or extra:
            bad += 1
            print(f'node {node}: {len(missing)} series missing, {len(extra)} not expected here', file=sys.stderr)
            for s in list(missing)[:3]:
                print('  missing', s, file=sys.stderr)
            for s in list(extra)[:3]:
                print('  extra  ', s, file=sys.stderr)
    total = sum(len(v) for v in got.values())
    print(f'{total} series on {len(got)} nodes, {bad} nodes differ')
    return 1 if bad or total == 0 else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
