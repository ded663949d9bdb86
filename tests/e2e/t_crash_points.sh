# Kills at every step of every writer's transaction, deterministically (issue 10, tests that can
# fail): VMT_CRASH_AT=NAME[:N] makes the tool SIGKILL itself the N-th time it passes that step
# (base/crash_point.h). Each kill must land (exit 137 and the tool's "crash point" line), and leave
# a directory that verifies clean and holds the old or the new data: an import's months each old
# or old+new, a merge's samples unchanged, a reshard's OUT absent or complete. The next writer
# then completes on it.
RI="$FIX/route/input"
X="$BIN/tsdb-inspect"
CHK="$TMP/months.py"
cat >"$CHK" <<'PY'
# months.py OLD FULL GOT: every month of GOT holds exactly OLD's samples or FULL's (per series).
import collections, datetime, json, sys
def load(p):
    out = collections.defaultdict(set)
    for line in open(p):
        o = json.loads(line)
        name = json.dumps(o["metric"], sort_keys=True)
        for t, v in zip(o["timestamps"], o["values"]):
            month = datetime.datetime.fromtimestamp(t // 1000, datetime.timezone.utc).strftime("%Y_%m")  # the partition
            out[(month, name)].add((t, json.dumps(v)))
    return out
old, full, got = (load(p) for p in sys.argv[1:4])
months = {k[0] for k in full} | {k[0] for k in got}
state = []
for m in sorted(months):
    g = {k: v for k, v in got.items() if k[0] == m}
    o = {k: v for k, v in old.items() if k[0] == m}
    f = {k: v for k, v in full.items() if k[0] == m}
    if g == o: state.append("old")
    elif g == f: state.append("new")
    else: sys.exit("month %s is neither the old nor the new data (%d series)" % (m, len(g)))
print(" ".join(state))
PY
# Each tenant on its own: without --tenant, export labels the tenants only when it sees several.
exp() { { "$X" export --tenant 0:0 "$1"; "$X" export --tenant 42:7 "$1"; } | LC_ALL=C sort; }
killed_at() {  # NAME POINT: the last command died by SIGKILL at POINT
  if [ "$rc" = 137 ] && grep -q "crash point ${2%%:*}:" "$TMP/crash.err"; then pass "$1: killed at $2"
  else fail "$1: the kill at $2 did not land" "rc $rc: $(tail -c 300 "$TMP/crash.err")"; return 1; fi
}

# ---- tsdb-import: the commit's steps (commit.*; the data spans two months, listed one by one).
BASE="$TMP/base"
"$BIN/tsdb-import" -s "$BASE" --retention 100y --tenant 42:7 "$RI/tenant-42-7.prom" >/dev/null 2>&1 || fail "import: base"
exp "$BASE" >"$TMP/old"
cp -r "$BASE" "$TMP/full"
"$BIN/tsdb-import" -s "$TMP/full" --retention 100y "$RI"/batch-*.prom "$RI/tenant-0-0.prom" >/dev/null 2>&1 || fail "import: full"
exp "$TMP/full" >"$TMP/new"
states=""
for p in commit.journaled commit.index-renamed commit.data-renamed commit.index-listed commit.partition-listed:1 commit.partition-listed:2; do
  D="$TMP/imp-$p"; cp -r "$BASE" "$D"
  ( VMT_CRASH_AT=$p "$BIN/tsdb-import" -s "$D" --retention 100y "$RI"/batch-*.prom "$RI/tenant-0-0.prom" >/dev/null 2>"$TMP/crash.err" ; exit $? ) 2>/dev/null; rc=$?  # the subshell keeps bash's "Killed" off the log
  killed_at "tsdb-import" "$p" || continue
  verify_clean "tsdb-import killed at $p: verifies clean" "$D"
  exp "$D" >"$TMP/got"
  if st=$(python3 "$CHK" "$TMP/old" "$TMP/new" "$TMP/got" 2>&1); then
    pass "tsdb-import killed at $p: each month old or new ($st)"; states="$states|$st"
  else fail "tsdb-import killed at $p" "$st"; fi
  # The next writer clears what the kill left (journal, unlisted parts) and changes no sample.
  "$BIN/tsdb-merge" -q --force "$D" >/dev/null 2>&1 || fail "tsdb-import killed at $p: the next tsdb-merge fails"
  exp "$D" | cmp -s - "$TMP/got" && verify_clean "tsdb-import killed at $p, then merged: clean, same samples" "$D" \
    || fail "tsdb-import killed at $p: the next merge changed samples"
done
# Before the first parts.json write nothing is visible; after it, one month; after the second, all.
case "$states" in
  "|old old|old old|old old|old old|new old|new new"|"|old old|old old|old old|old old|old new|new new")
    pass "tsdb-import: nothing visible before the data commit, one month after its first listing, all after the last" ;;
  *) fail "tsdb-import: months per kill point" "$states" ;;
esac

# ---- tsdb-merge: the data and index transactions (journaled, renamed, listed, removed), first and second merge.
MB="$TMP/mbase"
for f in "$RI"/batch-1.prom "$RI"/batch-2.prom "$RI"/batch-3.prom "$RI"/tenant-0-0.prom; do
  "$BIN/tsdb-import" -s "$MB" --retention 100y "$f" >/dev/null 2>&1 || fail "merge base: import $f"
done
"$X" export "$MB" | LC_ALL=C sort >"$TMP/mwant"
for p in merge.journaled merge.renamed merge.listed merge.removed merge.listed:2 \
         merge-index.journaled merge-index.renamed merge-index.listed merge-index.removed; do
  D="$TMP/m-$p"; cp -r "$MB" "$D"
  ( VMT_CRASH_AT=$p "$BIN/tsdb-merge" -q --force --indexdb --jobs 1 "$D" >/dev/null 2>"$TMP/crash.err" ; exit $? ) 2>/dev/null; rc=$?  # the subshell keeps bash's "Killed" off the log
  killed_at "tsdb-merge" "$p" || continue
  verify_clean "tsdb-merge killed at $p: verifies clean" "$D"
  "$X" export "$D" | LC_ALL=C sort | cmp -s - "$TMP/mwant" && pass "tsdb-merge killed at $p: the same samples" \
    || fail "tsdb-merge killed at $p: samples changed"
  expect_exit 0 "tsdb-merge killed at $p: the next merge completes" "$BIN/tsdb-merge" -q --force --indexdb "$D"
  "$X" export "$D" | LC_ALL=C sort | cmp -s - "$TMP/mwant" && verify_clean "tsdb-merge killed at $p, merged again: clean, same samples" "$D" \
    || fail "tsdb-merge killed at $p: the rerun changed samples"
done

# ---- tsdb-route --from-storage: a node's commit, then OUT's rename.
SRC="$FIX/route/storage/node-0"
"$BIN/tsdb-route" --from-storage "$SRC" --storage-node a:1,b:2 --out-dir "$TMP/rs-want" >/dev/null 2>&1
for d in "$TMP"/rs-want/node-*; do "$X" export "$d"; done | LC_ALL=C sort >"$TMP/rswant"
for p in commit.data-renamed commit.partition-listed:3 reshard.written reshard.renamed; do
  O="$TMP/rs-$p"
  ( VMT_CRASH_AT=$p "$BIN/tsdb-route" --from-storage "$SRC" --storage-node a:1,b:2 --out-dir "$O" >/dev/null 2>"$TMP/crash.err" ; exit $? ) 2>/dev/null; rc=$?  # the subshell keeps bash's "Killed" off the log
  killed_at "tsdb-route --from-storage" "$p" || continue
  if [ "$p" = reshard.renamed ]; then
    for d in "$O"/node-*; do "$X" export "$d"; done | LC_ALL=C sort | cmp -s - "$TMP/rswant" \
      && pass "reshard killed after the rename: OUT complete" || fail "reshard killed after the rename: OUT differs"
  else
    [ ! -e "$O" ] && pass "reshard killed at $p: OUT absent" || fail "reshard killed at $p: OUT exists"
    expect_exit 0 "reshard killed at $p: a rerun completes" "$BIN/tsdb-route" --from-storage "$SRC" --storage-node a:1,b:2 --out-dir "$O"
    for d in "$O"/node-*; do "$X" export "$d"; done | LC_ALL=C sort | cmp -s - "$TMP/rswant" \
      && pass "reshard killed at $p, rerun: OUT complete" || fail "reshard killed at $p, rerun: OUT differs"
    [ -z "$(ls -A "$TMP" | grep -F ".rs-$p.tsdb-route-tmp")" ] && pass "reshard killed at $p: the rerun removed the temporary tree" \
      || fail "reshard killed at $p: temporary tree left"
  fi
done
# Without the variable nothing is killed (the crash points cost nothing else).
expect_exit 0 "no VMT_CRASH_AT: a plain run" "$BIN/tsdb-merge" -q --force "$TMP/full"
