// tsdb-inspect: dump and verify a vmstorage data directory, read-only. Thin over libcore/ops.
// The command line lives in libcore (ops/inspect_cli.cpp), next to the operation.
#include "ops/cli.h"

int main(int argc, char** argv) { return vmt::ops::inspect_main(argc, argv); }
