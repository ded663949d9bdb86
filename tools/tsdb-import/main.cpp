// tsdb-import: build or extend a vmstorage v1.93.7-cluster data directory from Prometheus text
// exposition, offline. Thin over libcore/ops/import.h and libcore/ingest; see man/tsdb-import.1.
// The command line lives in libcore (ops/import_cli.cpp), next to the operation.
#include "ops/cli.h"

int main(int argc, char** argv) { return vmt::ops::import_main(argc, argv); }
