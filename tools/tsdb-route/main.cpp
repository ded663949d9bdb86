// tsdb-route: split Prometheus text rows per vmstorage node exactly as vminsert does, or move whole
// node directories to a new node list (--from-storage). Thin over libcore/route (router.h) and
// libcore/reshard (reshard.h); see man/tsdb-route.1.
// The command line lives in libcore (ops/route_cli.cpp), next to the operation.
#include "ops/cli.h"

int main(int argc, char** argv) { return vmt::ops::route_main(argc, argv); }
