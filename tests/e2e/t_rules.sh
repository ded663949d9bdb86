# tsdb-merge --retention-filter and --downsample (the server's enterprise -retentionFilter and
# -downsampling.period), judged by rules_model.py, an independent model of which samples stay.
# Data: 2 hours of 60 s scrapes of 48 generated series, imported in three 40-minute slices (three
# parts); --now is the end of the data, so the 60m cutoff splits the middle part, a series can be
# matched by a retention filter and a downsampling filter at once, and cpu="0" series match a
# filter with two levels.
M="$BIN/tsdb-merge"; X="$BIN/tsdb-inspect"
GENP="$SHARED/../bench/gen-prom.py"
model="$(dirname "${BASH_SOURCE[0]}")/rules_model.py"
tree_sum() { (cd "$1" && find . -type f ! -name flock.lock -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum); }
start=1714521600000 slice=2400000
now_s=$(( (start + 7200000) / 1000 ))
if [ ! -x "$BIN/tsdb-import" ] || [ ! -f "$GENP" ]; then fail "rules: needs tsdb-import and $GENP"; return 0 2>/dev/null || exit 0; fi
python3 "$GENP" --series 48 --points 120 --start-ms $start --step-ms 60000 --seed 9 | grep -v '^#' |
  awk -v d="$TMP" -v s=$start -v w=$slice '{ k = int(($NF - s) / w); print > (d "/slice-" k ".prom") }'
D="$TMP/rules"
for f in "$TMP"/slice-*.prom; do "$BIN/tsdb-import" --target v1.93.7 -s "$D" --retention 100y "$f" >/dev/null 2>&1 || fail "rules: import $f"; done
"$X" export "$D" >"$TMP/before.jsonl" 2>/dev/null
rules=(--retention-filter '{mode="idle"}:100m' --downsample '{cpu="0"}:90m:5m,{cpu="0"}:150m:10m' --downsample 60m:2m --now "$now_s")

pristine=$(tree_sum "$D")
"$M" "${rules[@]}" --dry-run --json "$D" >"$TMP/plan.jsonl" 2>"$TMP/plan.err"
[ "$(tree_sum "$D")" = "$pristine" ] && pass "rules --dry-run changes nothing" || fail "rules --dry-run changed the directory"
if "$M" "${rules[@]}" --json "$D" >"$TMP/run.jsonl" 2>"$TMP/run.err"; then pass "rules run exits 0"; else fail "rules run" "$(head -c 600 "$TMP/run.err")"; fi
"$X" export "$D" >"$TMP/after.jsonl" 2>/dev/null
python3 "$model" "$TMP/before.jsonl" "$TMP/after.jsonl" $((now_s * 1000)) $start $slice >"$TMP/cmp" 2>&1 &&
  pass "retention filter + two-level and every-series downsampling: the samples the model keeps ($(cat "$TMP/cmp"))" ||
  fail "rules: export differs from the model" "$(head -c 900 "$TMP/cmp")"
plan=$(jq -s '[.[] | select(.type=="plan") | .would_drop_rows] | add' "$TMP/plan.jsonl")
done_rows=$(jq -r 'select(.type=="summary") | .dropped_retention_filter + .dropped_downsampled' "$TMP/run.jsonl")
want_rows=$(( $(jq -s '[.[] | .timestamps | length] | add' "$TMP/before.jsonl") - $(jq -s '[.[] | .timestamps | length] | add' "$TMP/after.jsonl") ))
[ "$plan" = "$done_rows" ] && [ "$done_rows" = "$want_rows" ] &&
  pass "rules: the dry run's rows = the run's = the export's difference ($want_rows)" ||
  fail "rules: figures" "plan $plan, run $done_rows, export difference $want_rows"
# The newest part (the last 40 minutes) is younger than every cutoff: left alone; the other two
# (one of them split by the 60m cutoff) rewritten, each alone.
rewrites=$(jq -s '[.[] | select(.type=="rewrite") | .inputs | length] | "\(length) \(add)"' "$TMP/run.jsonl")
[ "$rewrites" = '"2 2"' ] && pass "rules: the two parts with old rows rewritten alone, the newest untouched" ||
  fail "rules: rewrites (count, inputs): $rewrites, want 2 2"
verify_clean "rules: verify" "$D"
after=$(tree_sum "$D")
"$M" "${rules[@]}" --json "$D" >"$TMP/rerun.jsonl" 2>&1
[ "$(tree_sum "$D")" = "$after" ] && [ "$(jq -s '[.[] | select(.type=="rewrite")] | length' "$TMP/rerun.jsonl")" = 0 ] &&
  pass "rules rerun at the same --now: nothing to do, nothing written" || fail "rules rerun changed the directory" "$(head -c 400 "$TMP/rerun.jsonl")"

# Refusals: the server's own syntax rules.
expect_exit 2 "downsample offset not a multiple of the interval" "$M" --downsample 7m:2m "$D"
expect_exit 2 "downsample levels whose intervals are not multiples" "$M" --downsample 30m:3m,60m:4m "$D"
expect_exit 2 "retention filter longer than --retention" "$M" --retention 1d --retention-filter '{a="b"}:2d' "$D"
expect_exit 2 "retention filter without a duration" "$M" --retention-filter '{a="b"}' "$D"

# Tenant pseudo-labels (the enterprise cluster's -retentionFilter syntax): they pick tenants.
# route/storage/node-1 holds tenants 0:0 and 42:7.
fixture_copy route/storage/node-1 "$TMP/tp"
"$BIN/tsdb-inspect" export --tenant 0:0 "$TMP/tp" | LC_ALL=C sort >"$TMP/tp-00"
n42=$("$BIN/tsdb-inspect" export --tenant 42:7 "$TMP/tp" | wc -l)
expect_exit 0 "--retention-filter with vm_account_id" "$M" --retention 100y --retention-filter '{vm_account_id="42"}:1d' --now 1893456000 --force "$TMP/tp"
got42=$("$BIN/tsdb-inspect" export --tenant 42:7 "$TMP/tp" | jq '.values | length' | paste -sd+ | bc)
[ "$n42" -gt 0 ] && [ "${got42:-0}" = 0 ] && pass "{vm_account_id=\"42\"}:1d drops tenant 42's old rows ($n42 series)" \
  || fail "tenant retention filter" "tenant 42:7 series before $n42, rows left ${got42:-0}"
export_same "the other tenant is untouched by a tenant's retention filter" "$TMP/tp" 0:0 "$TMP/tp-00"
fixture_copy route/storage/node-1 "$TMP/tp2"
expect_exit 0 "--delete with vm_project_id" "$M" --delete '{vm_project_id="7",__name__=~"tiny_.*"}' "$TMP/tp2"
left=$("$BIN/tsdb-inspect" export --tenant 42:7 "$TMP/tp2" | wc -l)
[ "$left" = 0 ] && pass "--delete '{vm_project_id=\"7\",...}' deletes tenant 42:7's matching series" || fail "tenant delete: $left left"
export_same "--delete of another tenant's series leaves tenant 0:0 as it was" "$TMP/tp2" 0:0 "$TMP/tp-00"

# With --force the rules run inside the merge: one part, one block per series, so no bucket is
# split between parts (the model with a single slice).
for f in "$TMP"/slice-*.prom; do "$BIN/tsdb-import" --target v1.93.7 -s "$TMP/rules-force" --retention 100y "$f" >/dev/null 2>&1; done
if "$M" "${rules[@]}" --force "$TMP/rules-force" >/dev/null 2>"$TMP/force.err"; then
  "$X" export "$TMP/rules-force" >"$TMP/force.jsonl" 2>/dev/null
  python3 "$model" "$TMP/before.jsonl" "$TMP/force.jsonl" $((now_s * 1000)) $start 1000000000000000 >"$TMP/cmp" 2>&1 &&
    pass "rules with --force: applied in the merge, as the model keeps ($(cat "$TMP/cmp"))" ||
    fail "rules with --force: export differs from the model" "$(head -c 900 "$TMP/cmp")"
else
  fail "rules with --force" "$(head -c 400 "$TMP/force.err")"
fi
