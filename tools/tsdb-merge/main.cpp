// tsdb-merge: VictoriaMetrics merges (every flavour: layout/flavour.h), offline and crash-safe. Thin over
// libcore/ops/merge.h; see man/tsdb-merge.1.
// The command line lives in libcore (ops/merge_cli.cpp), next to the operation.
#include "ops/cli.h"

int main(int argc, char** argv) { return vmt::ops::merge_main(argc, argv); }
