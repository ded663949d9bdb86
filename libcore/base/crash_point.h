// Deterministic kill points for the crash tests: with VMT_CRASH_AT=NAME or NAME:N in the
// environment, the N-th time (default 1) the process passes crash_point("NAME") it says so on
// stderr and kills itself with SIGKILL, exactly as `kill -9` would at that moment: no destructor,
// no flush, no cleanup runs. Writers call it between the file steps of their transactions
// (journaled, renamed, listed, removed), so a test can stop them at every step in turn and prove
// that each kill landed where it meant to (exit status 137 and the message) instead of hoping a
// random sleep hit one. Without the variable it costs one relaxed atomic load.
#pragma once

namespace vmt {

void crash_point(const char* name);

}  // namespace vmt
