#!/usr/bin/env python3
"""series / labels / analyze on the v1.136 and v1.148 fixtures (per-partition indexes, a legacy
generation after an upgrade, deleted series), held to what those servers answered and exported.

Usage: flavour_queries.py TSDB_INSPECT LOCAL_FIXTURES
For each `multi` fixture (single-node v1.148 and v1.136, cluster v1.148 with tenants 0:0, 42:7):
  - series and labels of storage-before-merge equal api/series.json and api/labels.json, which
    the server answered with the same data (start=1, end=2^31-1 s, match[]={__name__!=""});
  - analyze --date D --top 10 equals api/tsdb-status-D.json (the server counts each series once
    there), but for which names of equal count survive the top-10 cut (the server's heap);
  - series of storage-final (after delete_series of node_(cpu|network)_.+) equal the series of
    export/after-delete.jsonl: the deleted MetricIDs of a partition index hide their series;
  - a few selectors against the same export filtered by this file's own selector model.
For each `upgraded` fixture (a v1.93 directory opened and extended by v1.148): series equal the
series of export/all.jsonl, whose names come from the legacy generation and partition indexes.
Prints one line per check and exit 1 on any mismatch.
"""
import json
import os
import re
import subprocess
import sys

INSPECT, LOCAL = sys.argv[1], sys.argv[2]
END = '2147483647000ms'
failures = []
passed = 0


def run(args):
    p = subprocess.run([INSPECT] + args, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError('%s: exit %d: %s' % (' '.join(args), p.returncode, p.stderr.decode()))
    return p.stdout.decode('utf-8')


def check(name, ours, want):
    global passed
    if ours == want:
        passed += 1
        print('flavour queries: %s: equal' % name)
    else:
        failures.append(name)
        print('flavour queries: %s: MISMATCH\n  ours: %s\n  want: %s' % (name, str(ours)[:400], str(want)[:400]),
              file=sys.stderr)


def series_of(out):
    return sorted(json.dumps(json.loads(l), ensure_ascii=False) for l in out.splitlines())


def export_series(path):
    with open(path, encoding='utf-8') as f:
        return sorted(json.dumps(json.loads(l)['metric'], ensure_ascii=False) for l in f)


def ties_ok(ours, server):
    if [e['value'] for e in ours] != [e['value'] for e in server]:
        return False
    cut = ours[-1]['value'] if ours else 0
    return [e['name'] for e in ours if e['value'] > cut] == [e['name'] for e in server if e['value'] > cut]


# This file's own selector model: name{label op "value", ...} with Python's re for =~ / !~.
def matches(sel, metric):
    m = re.match(r'^([A-Za-z_:][A-Za-z0-9_:]*)?(?:\{(.*)\})?$', sel)
    filters = [('__name__', '=', m.group(1))] if m.group(1) else []
    for fm in re.finditer(r'([A-Za-z_]+)(=~|!~|!=|=)"((?:[^"\\]|\\.)*)"', m.group(2) or ''):
        filters.append((fm.group(1), fm.group(2), json.loads('"%s"' % fm.group(3))))
    for label, op, value in filters:
        v = metric.get(label, '')
        ok = v == value if op in ('=', '!=') else re.fullmatch(value, v) is not None
        if ok == (op in ('!=', '!~')):
            return False
    return True


SELECTORS = ['{__name__=~"node_(cpu|network)_.+"}', 'tiny_temperature_celsius{sensor!="cpu"}',
             '{job="tiny",code=~"2.."}', '{__name__=~"go_.*",quantile!~"0|1"}', '{sensor=""}']

for flavour in ('vm-single-1.148', 'vm-single-1.136', 'vm-cluster-1.148'):
    fx = os.path.join(LOCAL, flavour, 'multi')
    cluster = 'cluster' in flavour
    for tenant in (['0:0', '42:7'] if cluster else [None]):
        pre = tenant.replace(':', '_') + '-' if tenant else ''
        targs = ['--tenant', tenant] if tenant else []
        tag = '%s %s' % (flavour, tenant or '')
        before = os.path.join(fx, 'storage-before-merge')
        final = os.path.join(fx, 'storage-final')
        api = lambda n: json.load(open(os.path.join(fx, 'api', pre + n), encoding='utf-8'))['data']
        out = run(['series', '--start', '1000ms', '--end', END, '--match', '{__name__!=""}'] + targs + [before])
        check(tag + ' series', series_of(out), sorted(json.dumps(s, ensure_ascii=False) for s in api('series.json')))
        out = run(['labels', '--json', '--start', '1000ms', '--end', END] + targs + [before])
        check(tag + ' labels', json.loads(out), api('labels.json'))
        for d in ('2023-11-01', '2025-11-01'):
            ours = json.loads(run(['analyze', '--json', '--date', d, '--top', '10'] + targs + [before]))
            server = api('tsdb-status-%s.json' % d)
            ok = ours['totalSeries'] == server['totalSeries'] and ours['totalLabelValuePairs'] == server['totalLabelValuePairs']
            for k in ('seriesCountByMetricName', 'seriesCountByLabelName', 'seriesCountByLabelValuePair',
                      'labelValueCountByLabelName'):
                ok = ok and ties_ok(ours[k], [{'name': e['name'], 'value': e['value']} for e in server[k]])
            check('%s analyze --date %s' % (tag, d), ok, True)
        after = export_series(os.path.join(fx, 'export', pre + 'after-delete.jsonl'))
        check(tag + ' series after delete_series', series_of(run(['series'] + targs + [final])), after)
        for sel in SELECTORS:
            want = sorted(s for s in after if matches(sel, json.loads(s)))
            check('%s series --match %s after delete' % (tag, sel),
                  series_of(run(['series', '--match', sel] + targs + [final])), want)

for flavour in ('vm-single-1.148', 'vm-cluster-1.148'):
    fx = os.path.join(LOCAL, flavour, 'upgraded')
    targs = ['--tenant', '0:0'] if 'cluster' in flavour else []
    check(flavour + ' upgraded series', series_of(run(['series'] + targs + [os.path.join(fx, 'storage')])),
          export_series(os.path.join(fx, 'export', 'all.jsonl')))

print('flavour queries: %d equal, %d mismatches' % (passed, len(failures)))
sys.exit(1 if failures else 0)
