# flock.lock aside (every writer creates it, as vmstorage does).
# Never make damage worse (issue 11): the JSON files are read as the server reads them, a parts.json
# the server would act on wrongly stops every tool, no writer deletes a directory it cannot prove
# its own, bytes the server never reads are a warning, and the ones it would refuse are problems.
I="$BIN/tsdb-inspect"; M="$BIN/tsdb-merge"
SRC=node/storage-before-merge
P=data/small/2023_11
WANT="$TMP/want.jsonl"
LC_ALL=C sort "$FIX/node/export/tenant-0-0.jsonl" >"$WANT"
fresh() { rm -rf "$TMP/d"; fixture_copy "$SRC" "$TMP/d"; }
tree_sum() { (cd "$1" && find . -type f ! -name flock.lock -print0 | sort -z | xargs -0 sha256sum | sha256sum); }

# 1. What Go's encoding/json refuses (vmstorage: "FATAL: cannot parse ...").
fresh
printf '\0\0\0' >>"$TMP/d/$P/18EA24302710624A/metadata.json"
expect_exit 1 "verify: metadata.json with trailing NULs is a problem" "$I" verify "$TMP/d"
grep -q "18EA24302710624A/metadata.json: invalid character '\\\\x00' after top-level value" "$TMP/stdout" &&
  pass "verify names the file and Go's message" || fail "NUL message" "$(grep -v ^note "$TMP/stdout" | head -3)"
before=$(tree_sum "$TMP/d")
expect_exit 1 "merge --force refuses it" "$M" --force "$TMP/d"
[ "$(tree_sum "$TMP/d")" = "$before" ] && pass "and changes nothing" || fail "merge changed a directory it refused"
fresh
{ printf '\xef\xbb\xbf'; cat "$FIX/$SRC/$P/parts.json"; } >"$TMP/d/$P/parts.json"
expect_exit 1 "verify: parts.json with a BOM is a problem" "$I" verify "$TMP/d"
expect_exit 1 "export refuses it" "$I" export "$TMP/d"

# 2. Parseable but wrong: the server would delete the unlisted parts at open; we stop.
for bad in '{"Smqll":["18EA243027106249","18EA24302710624A","18EA24302710624B"],"Big":[]}' '{}' 'null'; do
  fresh
  printf '%s' "$bad" >"$TMP/d/$P/parts.json"
  expect_exit 1 "verify: parts.json $bad is a problem" "$I" verify "$TMP/d"
  before=$(tree_sum "$TMP/d")
  expect_exit 1 "merge --force refuses parts.json $bad" "$M" --force "$TMP/d"
  [ "$(tree_sum "$TMP/d")" = "$before" ] && pass "no part deleted ($bad)" || fail "merge deleted with parts.json $bad"
done
fresh
T=indexdb/18EA242FC46A77A1
printf '[]' >"$TMP/d/$T/parts.json"
expect_exit 1 "verify: an index part no parts.json lists is a problem" "$I" verify "$TMP/d"
grep -q "18EA242FC6B2FDAA: a directory parts.json does not list" "$TMP/stdout" && pass "verify names it" ||
  fail "unlisted index part" "$(grep -v ^note "$TMP/stdout" | head -3)"
expect_exit 0 "merge --force --indexdb runs" "$M" --force --indexdb "$TMP/d"
[ -d "$TMP/d/$T/18EA242FC6B2FDAA" ] && pass "and leaves the unlisted index part in place" || fail "index part deleted"
grep -q "left in place 1 directory parts.json does not list: 18EA242FC6B2FDAA" "$TMP/stderr" && pass "with a warning" ||
  fail "unlisted warning" "$(cat "$TMP/stderr")"
expect_exit 2 "--remove-unlisted of a name that is not unlisted is a usage error" "$M" --remove-unlisted 18EA243027106249 "$TMP/d"
expect_exit 0 "--remove-unlisted NAME deletes it" "$M" --remove-unlisted 18EA242FC6B2FDAA "$TMP/d"
[ ! -e "$TMP/d/$T/18EA242FC6B2FDAA" ] && pass "it is gone" || fail "--remove-unlisted left it"

# 3. A part listed twice would double its samples in every export.
fresh
printf '{"Small":["18EA243027106249","18EA24302710624A","18EA24302710624A","18EA24302710624B"],"Big":[]}' >"$TMP/d/$P/parts.json"
expect_exit 1 "verify: a part listed twice is a problem" "$I" verify "$TMP/d"
grep -q "part 18EA24302710624A is listed twice" "$TMP/stdout" && pass "verify names it" || fail "listed twice" "$(head -3 "$TMP/stdout")"
expect_exit 1 "export refuses a part listed twice" "$I" export "$TMP/d"
expect_exit 1 "merge refuses a part listed twice" "$M" --force "$TMP/d"

# 6. Bytes after the last block, which the server never reads: a warning; export and merge as the server.
fresh
printf 'trailing' >>"$TMP/d/$P/18EA24302710624A/values.bin"
printf 'xx' >>"$TMP/d/$P/18EA24302710624B/timestamps.bin"
expect_exit 0 "verify: bytes after the last block are a warning" "$I" verify "$TMP/d"
grep -q "note: .*18EA24302710624A: warning: .*values.bin: offset [0-9]*: 8 bytes after the last values block" "$TMP/stdout" &&
  pass "the warning names file and offset" || fail "trailing warning" "$(head -3 "$TMP/stdout")"
expect_exit 1 "verify --strict: they are problems" "$I" verify --strict "$TMP/d"
export_same "export serves such parts exactly" "$TMP/d" 0:0 "$WANT"
check "merge --force merges them" "$M" --force "$TMP/d"
export_same "and the merged export is the same" "$TMP/d" 0:0 "$WANT"
verify_clean "the merged directory verifies clean" "$TMP/d" --strict

# Leftovers of our own writers are provably ours: a part named in tsdb-tools.pending (a kill
# between the rename and the listing) is a note, and the next writer removes it; an unlisted copy
# nobody vouches for is a problem, and stays.
fresh
cp -r "$TMP/d/$P/18EA24302710624A" "$TMP/d/$P/18EA24302710FFFF"
cp -r "$TMP/d/$P/18EA24302710624A" "$TMP/d/$P/18EA24302710EEEE"
printf '%s\n' "$P/18EA24302710FFFF" >"$TMP/d/tsdb-tools.pending"
expect_exit 1 "verify: the unvouched copy is a problem" "$I" verify "$TMP/d"
grep -q "note: .*18EA24302710FFFF: not listed in parts.json: renamed by an interrupted" "$TMP/stdout" &&
  pass "the journalled one is a note" || fail "pending note" "$(grep FFFF "$TMP/stdout")"
check "merge runs" "$M" "$TMP/d"
[ ! -e "$TMP/d/$P/18EA24302710FFFF" ] && [ -d "$TMP/d/$P/18EA24302710EEEE" ] && [ ! -e "$TMP/d/tsdb-tools.pending" ] &&
  pass "merge removed the journalled part only, and the journal" || fail "pending cleanup" "$(ls "$TMP/d/$P" "$TMP/d")"
export_same "the export is unchanged" "$TMP/d" 0:0 "$WANT"

# export --skip-damaged: the damaged part is named and left out, the rest exported, exit 1.
fresh
printf '\x00\x00\x00' | dd of="$TMP/d/$P/18EA24302710624A/values.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_exit 1 "export refuses a directory with a damaged part" "$I" export "$TMP/d"
expect_exit 1 "export --skip-damaged exits 1" "$I" export --skip-damaged "$TMP/d"
grep -q "skipping damaged part (--skip-damaged): .*18EA24302710624A" "$TMP/stderr" && pass "and names the part" ||
  fail "skip-damaged message" "$(head -3 "$TMP/stderr")"
rm -rf "$TMP/d2"; fixture_copy "$SRC" "$TMP/d2"
printf '{"Small":["18EA243027106249","18EA24302710624B"],"Big":[]}' >"$TMP/d2/$P/parts.json"
"$I" export "$TMP/d2" | LC_ALL=C sort >"$TMP/without.jsonl"
LC_ALL=C sort "$TMP/stdout" >"$TMP/skipped.jsonl"
same_file "export --skip-damaged gives exactly the other parts' samples" "$TMP/skipped.jsonl" "$TMP/without.jsonl"
