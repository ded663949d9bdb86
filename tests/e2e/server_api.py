#!/usr/bin/env python3
"""Holds tsdb-inspect series / labels / label-values / analyze to the real server's API answers
(tests/fixtures/server-api/answers, recorded from victoria-metrics and vmselect v1.93.7 on the
shared fixtures), and analyze to the distinct-series truth computed here from the exports.

Usage: server_api.py TSDB_INSPECT SHARED_FIXTURES ANSWERS_DIR
Prints one summary line per kind of check and the first mismatches; exit 1 on any mismatch.

How a recorded request becomes our command line:
  /api/v1/series              -> series DIR... --match S... --start Xms --end Yms [--tenant T]
  /api/v1/labels              -> labels --json ...
  /api/v1/label/N/values      -> label-values N --json ...
  /api/v1/status/tsdb         -> analyze --json [--date D] --top N [--focus-label L] [--match S]...
  /api/v1/series/count        -> analyze --json (its totalMetricIDs)
with the server's own argument defaults applied first (app/vmselect/prometheus at v1.93.7): end
defaults to now and is capped at now+2d; a missing or zero start is end-5m; end < start becomes
start; status/tsdb ignores start/end, its date defaults to today (UTC) and 1970-01-01 or 0 means
the global index (our whole range); topN <= 0 is 1, > 1000 is 1000, missing is 10.

Where the server knowingly differs, the difference is checked, not skipped:
  - labels with a match[] that selects nothing: the server answers ["__name__"]
    (getLabelNamesForMetricIDs adds it unconditionally); we answer [], and the series answer for
    the same request must be empty to count it so;
  - series without match[]: the server refuses; we list every series (an offline tool's default),
    which must equal the server's answer for {__name__!=""} over the same range;
  - status/tsdb: the server counts MetricIDs and, over several vmstorage nodes, sums each node's
    own top-N. Our lists must equal the truth from the exports (each series once); they must equal
    the server's own answer wherever the server counts each series once (one storage whose series
    have one MetricID each), except for which names of equal count survive the top-N cut (the
    server's heap keeps an arbitrary subset of the tied names); our totalMetricIDs must equal the
    server's totalSeries always (summed over nodes), and --per-node figures each node's own answer.
"""
import calendar
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone

INSPECT, SHARED, ANSWERS = sys.argv[1], sys.argv[2], sys.argv[3]

ROUTE = 'vm-cluster-1.93/route'
FIXTURES = {
    'single-tiny': (['vm-single-1.93/tiny/storage-after-merge'], {None: ['vm-single-1.93/tiny/export/all.jsonl']}),
    'single-node': (['vm-single-1.93/node/storage-after-merge'], {None: ['vm-single-1.93/node/export/all.jsonl']}),
    'cluster-tiny': (['vm-cluster-1.93/tiny/storage'],
                     {t: ['vm-cluster-1.93/tiny/export/tenant-%s.jsonl' % t.replace(':', '-')] for t in ('0:0', '42:7')}),
    'cluster-route': (['%s/storage/node-%d' % (ROUTE, i) for i in range(3)],
                      {t: ['%s/export/node-%d.tenant-%s.jsonl' % (ROUTE, i, t.replace(':', '-')) for i in range(3)]
                       for t in ('0:0', '42:7')}),
}

NOW_MS = int(time.time() * 1000)
MS_DAY = 86400000


def storage_and_exports(rec):
    dirs, exports = FIXTURES[rec['fixture']]
    exp = exports[rec['tenant']]
    if rec['node'] != 'all':
        i = int(rec['node'].split('-')[1])
        dirs, exp = [dirs[i]], [exp[i]]
    return [os.path.join(SHARED, d) for d in dirs], [os.path.join(SHARED, e) for e in exp]


def parse_time_ms(s):
    """The server's httputils.GetTime: unix seconds (fractional), RFC3339, or a date; None if not."""
    try:
        return int(round(float(s) * 1000))
    except ValueError:
        pass
    for fmt in ('%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ', '%Y-%m-%d'):
        try:
            return int(calendar.timegm(datetime.strptime(s, fmt).timetuple()) * 1000)
        except ValueError:
            pass
    return None


def run(args):
    p = subprocess.run([INSPECT] + args, capture_output=True)
    return p.returncode, p.stdout.decode('utf-8', 'surrogateescape'), p.stderr.decode('utf-8', 'replace')


# ---- an independent selector model for the truth (simple selectors: name{l op "v", ...}) ----
SEL_RE = re.compile(r'^\s*([A-Za-z_:][A-Za-z0-9_:.]*)?\s*(?:\{(.*)\})?\s*$', re.S)
FILTER_RE = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')


def parse_sel(text):
    m = SEL_RE.match(text)
    if not m:
        return None
    filters = []
    if m.group(1):
        filters.append(('__name__', '=', m.group(1)))
    body = m.group(2) or ''
    pos = 0
    while pos < len(body):
        fm = FILTER_RE.match(body, pos)
        if not fm:
            return None
        filters.append((fm.group(1), fm.group(2), json.loads('"%s"' % fm.group(3))))
        pos = fm.end()
    return filters


def sel_matches(filters, metric):
    for label, op, value in filters:
        v = metric.get(label, '')
        if op == '=':
            ok = v == value
        elif op == '!=':
            ok = v != value
        else:
            ok = re.fullmatch(value, v) is not None
            if op == '!~':
                ok = not ok
        if not ok:
            return False
    return True


def load_export(paths):
    """Distinct series (tenant-local) -> set of UTC days with samples."""
    series = {}
    for p in paths:
        with open(p, encoding='utf-8') as f:
            for line in f:
                obj = json.loads(line)
                key = json.dumps(obj['metric'], sort_keys=True, ensure_ascii=False)
                days = series.setdefault(key, set())
                days.update(ts // MS_DAY for ts in obj['timestamps'])
    return series


def truth_status(export, date, sels, top, focus):
    """The report of /api/v1/status/tsdb, each series counted once, from the export."""
    by_name, by_label, by_pair, by_focus = Counter(), Counter(), Counter(), Counter()
    values = defaultdict(set)
    total = pairs = 0
    for key, days in export.items():
        metric = json.loads(key)
        if date is not None and date not in days:
            continue
        if sels and not any(sel_matches(f, metric) for f in sels):
            continue
        total += 1
        for label, value in metric.items():
            pairs += 1
            by_label[label] += 1
            by_pair['%s=%s' % (label, value)] += 1
            values[label].add(value)
            if label == '__name__':
                by_name[value] += 1
            if label == focus:
                by_focus[value] += 1

    def top_list(c):
        return [{'name': n, 'value': v} for n, v in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]

    # Per UTC day of the whole range: the series with samples that day, and those whose first /
    # last day with samples it is (our own seriesCountByDay).
    per_day, first, last = Counter(), Counter(), Counter()
    if date is None:
        for key, days in export.items():
            metric = json.loads(key)
            if not days or (sels and not any(sel_matches(f, metric) for f in sels)):
                continue
            for d in days:
                per_day[d] += 1
            first[min(days)] += 1
            last[max(days)] += 1
    by_day = [{'date': datetime.fromtimestamp(d * 86400, timezone.utc).strftime('%Y-%m-%d'), 'series': per_day[d],
               'firstSeen': first[d], 'lastSeen': last[d]} for d in sorted(per_day)]

    return {
        'totalSeries': total, 'totalLabelValuePairs': pairs,
        'seriesCountByMetricName': top_list(by_name), 'seriesCountByLabelName': top_list(by_label),
        'seriesCountByFocusLabelValue': top_list(by_focus), 'seriesCountByLabelValuePair': top_list(by_pair),
        'labelValueCountByLabelName': top_list(Counter({k: len(v) for k, v in values.items()})),
        'seriesCountByDay': by_day,
    }


LISTS = ('seriesCountByMetricName', 'seriesCountByLabelName', 'seriesCountByFocusLabelValue',
         'seriesCountByLabelValuePair', 'labelValueCountByLabelName')


def same_with_ties(ours, server):
    """Equal lists, except which names survive a cut through names of equal count."""
    if [e['value'] for e in ours] != [e['value'] for e in server]:
        return False
    if not ours:
        return True
    cut = ours[-1]['value']
    return [e['name'] for e in ours if e['value'] > cut] == [e['name'] for e in server if e['value'] > cut]


stats = Counter()
failures = []


def fail(rec, why):
    stats['failed'] += 1
    if len(failures) < 15:
        failures.append('%s %s %s tenant=%s node=%s: %s' % (rec['fixture'], rec['path'], rec['params'], rec['tenant'],
                                                            rec['node'], why))


def check(rec):
    path, params = rec['path'], rec['params']
    dirs, exports = storage_and_exports(rec)
    match = [v for k, v in params if k == 'match[]']
    p = dict((k, v) for k, v in params if k != 'match[]')
    common = []
    if rec['tenant']:
        common += ['--tenant', rec['tenant']]
    for s in match:
        common += ['--match', s]

    if path in ('/api/v1/status/tsdb', '/api/v1/series/count'):
        args = ['analyze', '--json'] + common
        date = None
        if path == '/api/v1/status/tsdb':
            d = p.get('date')
            if d is None:
                d = datetime.fromtimestamp(NOW_MS / 1000, timezone.utc).strftime('%Y-%m-%d')
            if d not in ('0', '1970-01-01'):
                args += ['--date', d]
                t = parse_time_ms(d)
                date = None if t is None else t // MS_DAY
            top = p.get('topN', '10')
            if re.fullmatch(r'-?\d+', top):
                top = str(min(max(int(top), 1), 1000))
            args += ['--top', top]
            if 'focusLabel' in p:
                args += ['--focus-label', p['focusLabel']]
        if len(dirs) > 1:
            args.append('--per-node')
        rc, out, err = run(args + dirs)
        if rec['status'] != 200:
            if rc == 2:
                stats['status refused as the server refuses'] += 1
            else:
                fail(rec, 'server refused (%s), we exit %d' % (rec['body'].get('error'), rc))
            return
        if rc != 0:
            fail(rec, 'exit %d: %s' % (rc, err.strip()))
            return
        ours = json.loads(out)
        server = rec['body']['data']
        if path == '/api/v1/series/count':
            server = server[0]
            if ours['totalMetricIDs'] == server:
                stats['series/count: totalMetricIDs equal'] += 1
            else:
                fail(rec, 'totalMetricIDs %d, server %d' % (ours['totalMetricIDs'], server))
            return
        sels = [parse_sel(s) for s in match]
        if any(s is None for s in sels):
            fail(rec, 'the test cannot model selector %s' % match)
            return
        truth = truth_status(load_export(exports), date, sels, int(args[args.index('--top') + 1]),
                             p.get('focusLabel'))
        keys = ('totalSeries', 'totalLabelValuePairs') + LISTS + (('seriesCountByDay',) if date is None else ())
        bad = [k for k in keys if ours.get(k, []) != truth[k]]
        if bad:
            fail(rec, 'differs from the export truth in %s: ours %s truth %s' % (bad, [ours[k] for k in bad],
                                                                               [truth[k] for k in bad]))
            return
        stats['status/tsdb: equal to the export truth'] += 1
        if truth['seriesCountByDay']:
            stats['status/tsdb: per-day series, first and last seen equal to the export truth'] += 1
        if ours['totalMetricIDs'] != server['totalSeries']:
            fail(rec, 'totalMetricIDs %d, server totalSeries %d' % (ours['totalMetricIDs'], server['totalSeries']))
            return
        if len(dirs) > 1:
            # The per-node split against each node's own answer to the same request.
            per_node = {}
            for r2 in PER_NODE.get((rec['fixture'], rec['tenant'], json.dumps(params)), []):
                per_node[r2['node']] = r2['body']['data']['totalSeries']
            if per_node:
                got = {'node-%d' % i: n['metricIDs'] for i, n in enumerate(ours['nodes'])}
                if got != per_node:
                    fail(rec, 'per-node MetricIDs %s, servers %s' % (got, per_node))
                    return
                stats['status/tsdb over 3 nodes: per-node figures equal each node\'s answer'] += 1
            stats['status/tsdb over 3 nodes: server sums nodes (totalSeries %d), ours counts once (%d)' % (
                server['totalSeries'], ours['totalSeries'])] += 0
            stats['status/tsdb over several nodes: totals reconciled'] += 1
        elif server['totalSeries'] == ours['totalSeries']:
            bad = [k for k in ('totalLabelValuePairs',) if ours[k] != server[k]]
            bad += [k for k in LISTS if not same_with_ties(ours[k], server[k])]
            if bad:
                fail(rec, 'differs from the server in %s: ours %s server %s' % (bad, [ours[k] for k in bad],
                                                                               [server[k] for k in bad]))
                return
            stats['status/tsdb: equal to the server'] += 1
        else:
            stats['status/tsdb: server counts MetricIDs (%d), ours series' % server['totalSeries']] += 0
            stats['status/tsdb: server counts duplicate MetricIDs; ours equals the truth'] += 1
        return

    # series, labels, label values: the server's argument defaults, then our command.
    end = parse_time_ms(p['end']) if 'end' in p else NOW_MS
    start = parse_time_ms(p['start']) if 'start' in p else 0
    bad_time = ('end' in p and end is None) or ('start' in p and start is None)
    if not bad_time:
        end = min(end, NOW_MS + 2 * MS_DAY)
        if start == 0:
            start = end - 5 * 60 * 1000
        end = max(end, start)
        common += ['--start', '%dms' % start, '--end', '%dms' % end]
    else:
        common += ['--start', p.get('start', '0'), '--end', p.get('end', '0')]
    if path == '/api/v1/series':
        args = ['series'] + common
    elif path == '/api/v1/labels':
        args = ['labels', '--json'] + common
    else:
        name = path[len('/api/v1/label/'):-len('/values')]
        args = ['label-values', name, '--json'] + common
    rc, out, err = run(args + dirs)
    kind = path if path in ('/api/v1/series', '/api/v1/labels') else '/api/v1/label/N/values'
    if rec['status'] != 200:
        if path == '/api/v1/series' and not match and 'match' in rec['body'].get('error', ''):
            # Refused by the server for want of match[]; we list everything: the server's {__name__!=""}.
            rc2, out2, _ = run(['series'] + common + ['--match', '{__name__!=""}'] + dirs)
            if rc == 0 and rc2 == 0 and out == out2:
                stats['series without match[]: server refuses, ours lists all'] += 1
            else:
                fail(rec, 'series without --match differs from {__name__!=""}')
        elif rc == 2:
            stats['%s refused as the server refuses' % kind] += 1
        else:
            fail(rec, 'server refused (%s), we exit %d: %s' % (rec['body'].get('error'), rc, out[:200]))
        return
    if rc != 0:
        fail(rec, 'exit %d: %s' % (rc, err.strip()))
        return
    server = rec['body']['data']
    if path == '/api/v1/series':
        ours = [json.loads(l) for l in out.splitlines()]
        # Label order too: each element as the server printed it.
        if sorted(json.dumps(o, ensure_ascii=False) for o in ours) == sorted(json.dumps(s, ensure_ascii=False) for s in server):
            stats['series equal'] += 1
        else:
            fail(rec, 'ours %d series, server %d' % (len(ours), len(server)))
            return
        # The smallest --mem-limit: answers of more than a few hundred series go through sorted
        # runs on disk (query/found_series.h) and must come out byte for byte the same.
        rc2, out2, err2 = run(args + ['--mem-limit', '64KiB'] + dirs)
        if rc2 == 0 and out2 == out:
            stats['series: the same through sorted runs (--mem-limit 64KiB)'] += 1
        else:
            fail(rec, '--mem-limit 64KiB: exit %d, %s' % (rc2, 'output differs' if rc2 == 0 else err2.strip()))
        return
    ours = json.loads(out)
    if ours == server:
        stats['%s equal' % kind] += 1
    elif path == '/api/v1/labels' and match and ours == [] and server == ['__name__']:
        rc2, out2, _ = run(['series'] + common + dirs)
        if rc2 == 0 and out2 == '':
            stats['labels: server quirk ["__name__"] for an empty selection; ours []'] += 1
        else:
            fail(rec, 'labels [] but series not empty')
    else:
        fail(rec, 'ours %s, server %s' % (ours[:20], server[:20]))


records = []
for name in sorted(os.listdir(ANSWERS)):
    if name.endswith('.jsonl'):
        with open(os.path.join(ANSWERS, name), encoding='utf-8') as f:
            records += [json.loads(l) for l in f]
PER_NODE = defaultdict(list)
for r in records:
    if r['node'] != 'all' and r['path'] == '/api/v1/status/tsdb' and r['status'] == 200:
        PER_NODE[(r['fixture'], r['tenant'], json.dumps(r['params']))].append(r)
for r in records:
    check(r)
for k in sorted(stats):
    if k != 'failed' and stats[k]:
        print('server api: %s: %d' % (k, stats[k]))
for f in failures:
    print('MISMATCH ' + f, file=sys.stderr)
print('server api: %d answers, %d mismatches' % (len(records), stats['failed']))
sys.exit(1 if stats['failed'] else 0)
