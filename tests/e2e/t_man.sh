# Every tool with code has a man page; every --option its --help lists (and each subcommand's)
# appears in it; groff -man -ww -z is quiet on it (as git's t0450 checks).
for bin in "$BIN"/tsdb-*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  page="$(dirname "${BASH_SOURCE[0]}")/../../man/$name.1"
  if [ ! -f "$page" ]; then fail "man page $name.1 exists"; continue; fi
  pass "man page $name.1 exists"
  if groff -man -ww -z "$page" 2>"$TMP/groff" && [ ! -s "$TMP/groff" ]; then pass "groff quiet on $name.1"; else fail "groff quiet on $name.1" "$(head -5 "$TMP/groff")"; fi
  "$bin" --help >"$TMP/help" 2>&1
  subs=$(sed -n '/^Subcommands:/,$p' "$TMP/help" | awk 'NR>1 && NF {print $1}')
  for s in $subs; do "$bin" "$s" --help >>"$TMP/help" 2>&1; done
  missing=""
  for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$TMP/help" | sort -u); do
    esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
    grep -qE -- "$esc|$opt" "$page" || missing="$missing $opt"
  done
  [ -z "$missing" ] && pass "$name --help options all in $name.1" || fail "$name --help options all in $name.1" "missing:$missing"
done
