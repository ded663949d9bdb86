# tsdb-merge under kill -9: after each kill at a random moment of a merge (data and indexdb), the
# directory verifies clean and exports exactly the samples of before; a final run completes and
# leaves no temporary or half-removed directories.
M="$BIN/tsdb-merge"
I="$BIN/tsdb-inspect"
GENP="$FIX/../../bench/gen-prom.py"
if [ ! -x "$BIN/tsdb-import" ]; then fail "kill -9 loop: tsdb-import is not built"; return 0 2>/dev/null || exit 0; fi
python3 "$GENP" --series 3000 --points 80 --start-ms 1714521600000 --step-ms 15000 --seed 3 | grep -v '^#' |
  awk -v d="$TMP" '{ s = int(($NF - 1714521600000) / 120000); print > (d "/slice-" s ".prom") }'
PRISTINE="$TMP/pristine"
for f in "$TMP"/slice-*.prom; do "$BIN/tsdb-import" -s "$PRISTINE" --retention 100y "$f" >/dev/null 2>&1 || fail "import $f"; done
"$I" export "$PRISTINE" | LC_ALL=C sort >"$TMP/want"
D="$TMP/work"
# Kill moments are spread over the duration of an uninterrupted run (measured here, in ms).
cp -r "$PRISTINE" "$D"
t0=$(date +%s%N); "$M" --force --indexdb --jobs 1 "$D" >/dev/null 2>&1; t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000000 + 5 ))
ok=0 landed=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
  # Odd rounds start from the ten unmerged parts; even rounds go on from whatever the kill left.
  if [ $((i % 2)) = 1 ] || [ ! -d "$D" ]; then rm -rf "$D"; cp -r "$PRISTINE" "$D"; fi
  args="--force"
  [ $((i % 3)) = 0 ] && args="--force --indexdb"
  [ $((i % 4)) = 0 ] && args="--force --dedup-interval 1ms --indexdb"   # re-encodes every block, same samples
  "$M" $args --jobs 1 "$D" >/dev/null 2>&1 &
  pid=$!
  # In the first half of a run's measured length: most kills land even on a loaded machine.
  ms=$(( RANDOM % (span / 2 + 1) )); sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -9 "$pid" 2>/dev/null && landed=$((landed + 1))
  wait "$pid" 2>/dev/null
  if ! "$I" verify "$D" >"$TMP/verify" 2>&1; then fail "kill -9 round $i: verify" "$(grep -v '^note' "$TMP/verify" | tail -5)"; continue; fi
  "$I" export "$D" | LC_ALL=C sort >"$TMP/got"
  if cmp -s "$TMP/got" "$TMP/want"; then ok=$((ok + 1)); else fail "kill -9 round $i: export differs" "$(diff "$TMP/got" "$TMP/want" | head -c 400)"; fi
done
[ "$ok" = 12 ] && pass "kill -9 at random moments: 12 rounds verify clean and export the same samples"
# A kill that came after the merge ended proves nothing: most must have hit a running merge.
[ "$landed" -ge 6 ] && pass "kill -9 at random moments: $landed of 12 kills landed in a running merge" \
  || fail "kill -9 at random moments: only $landed of 12 kills landed"
expect_exit 0 "a merge after the kills completes" "$M" --force --indexdb "$D"
"$I" export "$D" | LC_ALL=C sort >"$TMP/got"
same_file "export after the final merge" "$TMP/got" "$TMP/want"
expect_exit 0 "verify after the final merge" "$I" verify "$D"
if [ -z "$(find "$D" -name '*.must-remove.*' -o -name 'tsdb-merge.tmp.*')" ]; then pass "no leftovers after a complete run"; else fail "leftovers" "$(find "$D" -name '*.must-remove.*' -o -name 'tsdb-merge.tmp.*')"; fi
