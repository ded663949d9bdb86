# Our judgement of damage against the real server's (issue 11 items 1, 5, 6): the 333 damaged copies
# of tests/e2e/mutate.py, applied to vm-single-1.93/tiny/storage-after-merge, with what victoria-
# metrics v1.93.7 did with each (tests/fixtures/server-verdicts/, recorded where the server was
# built; CI has no server). Rules:
#   - what the server refuses to open or fails to serve, verify reports (exit 1);
#   - what the server serves differently from the undamaged directory, verify reports, or our
#     export serves exactly the same;
#   - what the server serves unchanged, our export serves unchanged too, unless verify reports a
#     problem (we may be stricter than the server; counted, and listed under VMT_VERBOSE).
I="$BIN/tsdb-inspect"
V="$LOCAL/server-verdicts/vm-single-1.93-tiny.tsv"
BASE="$SHARED/vm-single-1.93/tiny/storage-after-merge"
MUT="$(dirname "${BASH_SOURCE[0]}")/mutate.py"
if [ ! -s "$V" ]; then fail "server verdicts: $V missing"; return 0 2>/dev/null || exit 0; fi
base_sha=$(awk -F'\t' '$1 == "-" { split($3, a, " "); print a[2] }' "$V")
"$I" export "$BASE" | LC_ALL=C sort | sha256sum | { read -r ours _; [ "$ours" = "$base_sha" ] &&
  pass "server verdicts: our export of the undamaged directory is the server's" || fail "server verdicts: baseline" "$ours vs $base_sha"; }
refused_ok=0 refused_bad=0 changed_ok=0 changed_bad=0 same_ok=0 stricter=0 same_bad=0 n=0
while IFS=$'\t' read -r spec verdict detail; do
  [ "$spec" = - ] && continue
  n=$((n + 1))
  rm -rf "$TMP/v" && cp -r "$BASE" "$TMP/v" && chmod -R u+w "$TMP/v"
  python3 "$MUT" "$TMP/v" "$spec"
  "$I" verify "$TMP/v" >/dev/null 2>&1; vrc=$?
  "$I" export "$TMP/v" 2>/dev/null | LC_ALL=C sort >"$TMP/v.exp"; erc=${PIPESTATUS[0]}
  sha=$(sha256sum <"$TMP/v.exp" | cut -d' ' -f1)
  case "$verdict" in
    refused|crashed)
      if [ $vrc = 1 ]; then refused_ok=$((refused_ok + 1)); else refused_bad=$((refused_bad + 1)); echo "server $verdict, verify exit $vrc: $spec ($detail)" >&2; fi ;;
    served)
      want=${detail#* }
      if [ "$want" != "$base_sha" ]; then
        if [ $vrc = 1 ] || { [ $erc = 0 ] && [ "$sha" = "$want" ]; }; then changed_ok=$((changed_ok + 1))
        else changed_bad=$((changed_bad + 1)); echo "server serves changed data, verify exit $vrc, export exit $erc: $spec" >&2; fi
      elif [ $erc = 0 ] && [ "$sha" = "$base_sha" ]; then same_ok=$((same_ok + 1))
      elif [ $vrc = 1 ]; then stricter=$((stricter + 1)); [ -n "${VMT_VERBOSE:-}" ] && echo "stricter than the server: $spec" >&2
      else same_bad=$((same_bad + 1)); echo "server serves it unchanged, we do not (verify exit $vrc, export exit $erc): $spec" >&2; fi ;;
  esac
done <"$V"
echo "server verdicts: $n damaged copies: refused/crashed $refused_ok reported, $refused_bad missed; changed $changed_ok handled, $changed_bad missed; unchanged $same_ok same, $stricter stricter, $same_bad wrong" >&2
[ "$n" -gt 300 ] && pass "server verdicts: $n damaged copies compared" || fail "server verdicts: only $n"
[ $refused_bad = 0 ] && pass "server verdicts: verify reports all $refused_ok copies the server refuses or fails to serve" || fail "server verdicts: $refused_bad refused by the server pass verify"
[ $changed_bad = 0 ] && pass "server verdicts: every copy the server serves changed is reported or served the same ($changed_ok)" || fail "server verdicts: $changed_bad served changed without a report"
[ $same_bad = 0 ] && pass "server verdicts: what the server serves unchanged we serve unchanged or report ($same_ok same, $stricter stricter)" || fail "server verdicts: $same_bad served unchanged by the server but not by us"
