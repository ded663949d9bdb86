// The four tools' command lines: each parses its options (CLI11), checks them, runs its operation
// and returns the exit status (ops/tool.h: 0 done, 1 data problem, 2 usage, 3 I/O). The mains in
// tools/*/main.cpp only call these, as rocksdb's sst_dump main calls SSTDumpTool::Run.
#pragma once

namespace vmt::ops {

int import_main(int argc, char** argv);   // import_cli.cpp, man/tsdb-import.1
int inspect_main(int argc, char** argv);  // inspect_cli.cpp, man/tsdb-inspect.1
int merge_main(int argc, char** argv);    // merge_cli.cpp, man/tsdb-merge.1
int route_main(int argc, char** argv);    // route_cli.cpp, man/tsdb-route.1

}  // namespace vmt::ops
