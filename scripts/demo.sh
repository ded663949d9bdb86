#!/usr/bin/env bash
# make demo: the main job on a bundled example. Imports examples/demo.prom into a fresh data
# directory when tsdb-import is built, then shows the result with tsdb-inspect; until then it
# inspects the tiny fixture written by a real vmstorage.
set -euo pipefail
build=${1:-build}
bin="$build/bin"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -x "$bin/tsdb-import" ]; then
  dir=$(mktemp -d /tmp/vmtsdb-demo-XXXXXX)
  echo "== tsdb-import -s $dir/storage examples/demo.prom"
  "$bin/tsdb-import" -s "$dir/storage" --retention 100y examples/demo.prom
else
  dir=$(mktemp -d /tmp/vmtsdb-demo-XXXXXX)
  cp -r ../shared/fixtures/vm-cluster-1.93/tiny/storage "$dir/storage"
  chmod -R u+w "$dir/storage"
  echo "== (tsdb-import not built yet) using the tiny fixture written by vmstorage v1.93.7-cluster"
fi
echo "== tsdb-inspect parts";  "$bin/tsdb-inspect" parts "$dir/storage"
echo "== tsdb-inspect dates";  "$bin/tsdb-inspect" dates "$dir/storage"
echo "== tsdb-inspect export --format prom (first lines)"; "$bin/tsdb-inspect" export --format prom "$dir/storage" | head -5
echo "== tsdb-inspect verify"; "$bin/tsdb-inspect" verify "$dir/storage"
echo "== the data directory is left in $dir/storage"
