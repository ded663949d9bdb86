# Helpers for end-to-end tests. Each t_*.sh is run by run.sh with these in scope:
#   BIN       directory of the built tools        FIX   ../shared/fixtures/vm-cluster-1.93
#   TMP       a scratch directory for this script (removed afterwards)
#   pass NAME / fail NAME [DETAIL]                record one case
#   check NAME CMD...                             pass if CMD exits 0
#   expect_exit CODE NAME CMD...                  pass if CMD exits with CODE (stderr kept in $TMP/stderr)
#   same_file NAME A B                            pass if the files are byte-identical (diff shown otherwise)
#   export_same NAME DIR TENANT EXPECTED [ARGS]   tsdb-inspect export of DIR (TENANT "" = all), sorted, == EXPECTED
#   verify_clean NAME DIR [ARGS]                  tsdb-inspect verify DIR exits 0 and reports 0 problems
#   SHARED    ../shared/fixtures (every server flavour written by v1.93.7)
#   LOCAL     tests/fixtures (v1.136 / v1.148, made by tests/fixtures/make-fixtures.sh)
pass() { echo "PASS $1" >>"$RESULTS"; }
fail() { echo "FAIL $1${2:+: $2}" >>"$RESULTS"; echo "FAIL: $1${2:+: $2}" >&2; }
check() {
  local name=$1; shift
  if "$@" >"$TMP/stdout" 2>"$TMP/stderr"; then pass "$name"; else fail "$name" "exit $? from $*: $(head -c 600 "$TMP/stderr")"; fi
}
expect_exit() {
  local code=$1 name=$2; shift 2
  "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local got=$?
  if [ "$got" = "$code" ]; then pass "$name"; else fail "$name" "want exit $code, got $got: $(head -c 600 "$TMP/stderr")"; fi
}
same_file() {
  if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$(diff "$2" "$3" | head -c 1500)"; fi
}
# Recreates the empty directories git drops, from a fixture's MANIFEST.txt, under a copy.
# usage: fixture_copy FIXTURE_SUBDIR DEST   (copies $FIX/FIXTURE_SUBDIR to DEST)
fixture_copy() {
  if [ ! -d "$FIX/$1" ] || [ -z "$(ls -A "$FIX/$1" 2>/dev/null)" ]; then fail "fixture $FIX/$1 is missing or empty"; return 1; fi
  mkdir -p "$2" && cp -r "$FIX/$1/." "$2/" && chmod -R u+w "$2"
}
export_same() {
  local name=$1 dir=$2 tenant=$3 want=$4; shift 4
  if "$BIN/tsdb-inspect" export ${tenant:+--tenant "$tenant"} "$@" "$dir" >"$TMP/exp.out" 2>"$TMP/exp.err"; then
    LC_ALL=C sort "$TMP/exp.out" >"$TMP/exp.sorted"
    same_file "$name" "$TMP/exp.sorted" "$want"
  else
    fail "$name" "export exit $?: $(head -c 300 "$TMP/exp.err")"
  fi
}
verify_clean() {
  local name=$1 dir=$2; shift 2
  if "$BIN/tsdb-inspect" verify "$@" "$dir" >"$TMP/ver.out" 2>&1 && grep -q ': 0 problems$' "$TMP/ver.out"; then pass "$name"
  else fail "$name" "$(grep -v '^note' "$TMP/ver.out" | tail -5)"; fi
}
