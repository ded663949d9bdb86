// What every tool's main() shares: option parsing, "<tool>: " on stderr, Status -> exit code,
// buffered output to a file or stdout ("-"), progress lines only when stderr is a TTY.
//
// Exit codes (all tools): 0 ok; 1 a data problem (corrupt, missing or inconsistent data, a failed
// verification, bad input lines under --strict); 2 a usage error (bad flags or arguments);
// 3 an environment problem (I/O error, lock held by a running vmstorage).
#pragma once

#include <atomic>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace CLI { class App; }

namespace vmt::ops {

constexpr int kExitOk = 0, kExitData = 1, kExitUsage = 2, kExitEnv = 3;

int exit_code_for(const Status& st);

// The server's own single-dash flag names a tool accepts where it means the same thing, e.g.
// {"-storageDataPath", "-s"} or {"-storageDataPath", ""} (the value is the positional DIR).
struct FlagAlias {
  const char* server_flag;  // "-retentionPeriod"
  const char* ours;         // "--retention", or "" for a positional argument
};

// Parses argv with app (CLI11; its exceptions are caught here and nowhere else), then runs fn.
// A failed Status is printed as "<prog>: <message>" and mapped with exit_code_for; fn may also
// return its own exit code through *exit_code (e.g. verify: 1 when problems were found).
// Before parsing, the server's flags in `aliases` (-name VALUE or -name=VALUE) become ours; any
// other single-dash long flag, and a short flag glued to '=' (-s=dir), is a usage error that shows
// the right spelling (CLI11 would read -storageDataPath=/x as -s with the value "torageDataPath=/x").
int run_tool(const char* prog, CLI::App& app, int argc, char** argv, const std::function<Status(int* exit_code)>& fn,
             std::initializer_list<FlagAlias> aliases = {});

// Buffered output sink: "-" or "" is stdout.
class Output {
 public:
  Output() = default;
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  Status open(const std::string& path);
  Bytes& buf() { return buf_; }             // append, then call maybe_flush()
  Status maybe_flush() { return buf_.size() >= (1 << 20) ? flush() : Status::ok(); }
  // Large pieces (a batch of rendered series) go out as they are, after what is buffered.
  Status write(ByteView s) {
    if (s.size() < (1 << 16)) {
      buf_.append(s);
      return maybe_flush();
    }
    VMT_TRY(flush());
    return write_through(s);
  }
  Status flush();
  Status write_through(ByteView s);  // unbuffered; the buffer must be empty
  Status close();

 private:
  FILE* f_ = nullptr;
  bool owned_ = false;
  std::string path_;
  Bytes buf_;
};

// "\r<prefix>: <text>" on stderr at most a few times per second, only if stderr is a TTY. One
// wording in every tool: counts as "<done> of <total> <unit>" where the total is known, bytes in
// MiB (progress_mib), and, given the fraction done, " (42%, ETA 12s)" measured from construction.
class Progress {
 public:
  explicit Progress(std::string prefix);
  ~Progress();
  // fraction in [0, 1] when the total is known (percentage and ETA appended), else negative.
  void update(const std::string& text, double fraction = -1);
  void done();

 private:
  std::string prefix_;
  bool tty_;
  bool shown_ = false;
  int64_t start_ns_ = 0;
  int64_t last_ns_ = 0;
};
// "12.3 MiB": the unit of every progress line that counts bytes.
std::string progress_mib(uint64_t bytes);
// The total size of the inputs when every one is a regular file (0: unknown, e.g. stdin or a pipe):
// the denominator of an input progress line (compressed inputs count their compressed bytes, as
// the readers report them).
uint64_t input_total_bytes(const std::vector<std::string>& inputs);

// Installs SIGINT and SIGTERM handlers that only set the returned flag (once per process; later
// calls return the same flag): long operations check it and stop cleanly instead of dying mid-write.
const std::atomic<bool>* stop_on_signals();

// Logs "<prog>: <msg>" to stderr.
void log_line(const std::string& msg);
void set_prog_name(const char* prog);

}  // namespace vmt::ops
