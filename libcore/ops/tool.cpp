#include "ops/tool.h"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <vector>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace vmt::ops {

namespace {
std::string g_prog = "tsdb";
int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

void set_prog_name(const char* prog) { g_prog = prog; }

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop.store(true); }
}  // namespace

const std::atomic<bool>* stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  return &g_stop;
}

void log_line(const std::string& msg) { std::fprintf(stderr, "%s: %s\n", g_prog.c_str(), msg.c_str()); }

int exit_code_for(const Status& st) {
  switch (st.code()) {
    case Code::ok: return kExitOk;
    case Code::invalid_argument: return kExitUsage;
    case Code::io_error: return kExitEnv;
    default: return kExitData;
  }
}

namespace {

// argv with the server's flags translated; a usage error for VictoriaMetrics-style spellings we
// would otherwise misread.
Result<std::vector<std::string>> translate_args(int argc, char** argv, std::initializer_list<FlagAlias> aliases) {
  std::vector<std::string> out;
  bool positional_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (positional_only || a == "--") {
      positional_only = true;
      out.push_back(a);
      continue;
    }
    const bool single_dash = a.size() >= 2 && a[0] == '-' && a[1] != '-' && std::isalpha(static_cast<unsigned char>(a[1]));
    if (!single_dash) {
      out.push_back(a);
      continue;
    }
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    if (name.size() == 2) {  // a short flag
      if (eq != std::string::npos) {
        return invalid_argument("\"" + a + "\": write " + name + " " + a.substr(eq + 1) + " (a short flag takes its value after a space)");
      }
      out.push_back(a);
      continue;
    }
    const FlagAlias* alias = nullptr;
    for (const auto& al : aliases) {
      if (name == al.server_flag) alias = &al;
    }
    if (!alias) {
      return invalid_argument("unknown flag \"" + name + "\": our long flags take two dashes (-" + name +
                              "); see --help");
    }
    if (*alias->ours) out.push_back(alias->ours);
    if (eq != std::string::npos) {
      out.push_back(a.substr(eq + 1));
    } else if (i + 1 < argc) {
      out.push_back(argv[++i]);
    }
  }
  // CLI11 takes the arguments in reverse order.
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

int run_tool(const char* prog, CLI::App& app, int argc, char** argv, const std::function<Status(int*)>& fn,
             std::initializer_list<FlagAlias> aliases) {
  set_prog_name(prog);
  auto args = translate_args(argc, argv, aliases);
  if (!args.is_ok()) {
    std::fprintf(stderr, "%s: %s\nRun with --help for usage.\n", prog, args.status().message().c_str());
    return kExitUsage;
  }
  try {
    app.parse(std::move(*args));
  } catch (const CLI::CallForHelp& e) {
    std::fputs(app.help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::fputs((std::string(e.what()) + "\n").c_str(), stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::string hint;
    if (!app.get_subcommands({}).empty() && app.get_subcommands().empty()) {  // no command recognised
      hint = "commands:";
      for (const auto* sc : app.get_subcommands({})) hint += " " + sc->get_name();
      hint += "\n";
    }
    std::fprintf(stderr, "%s: %s\n%sRun with --help for usage.\n", prog, e.what(), hint.c_str());
    return kExitUsage;
  }
  int code = kExitOk;
  Status st = fn(&code);
  if (!st.is_ok()) {
    log_line(st.message());
    return exit_code_for(st);
  }
  return code;
}

Output::~Output() {
  (void)flush();
  if (f_ && owned_) std::fclose(f_);
}

Status Output::open(const std::string& path) {
  path_ = path;
  if (path.empty() || path == "-") {
    f_ = stdout;
    owned_ = false;
    return Status::ok();
  }
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return io_error("cannot create " + path + ": " + std::strerror(errno));
  owned_ = true;
  return Status::ok();
}

Status Output::flush() {
  if (!f_ || buf_.empty()) return Status::ok();
  Status st = write_through(buf_);
  buf_.clear();
  return st;
}

Status Output::write_through(ByteView s) {
  if (!f_ || s.empty()) return Status::ok();
  size_t n = std::fwrite(s.data(), 1, s.size(), f_);
  if (n != s.size() || std::fflush(f_) != 0) {
    return io_error("cannot write " + (path_.empty() || path_ == "-" ? std::string("stdout") : path_) + ": " +
                    std::strerror(errno));
  }
  return Status::ok();
}

Status Output::close() {
  Status st = flush();
  if (f_ && owned_) {
    if (std::fclose(f_) != 0 && st.is_ok()) st = io_error("cannot close " + path_ + ": " + std::strerror(errno));
  }
  f_ = nullptr;
  return st;
}

Progress::Progress(std::string prefix) : prefix_(std::move(prefix)), tty_(::isatty(2) == 1), start_ns_(now_ns()) {}

Progress::~Progress() { done(); }

void Progress::update(const std::string& text, double fraction) {
  if (!tty_) return;
  int64_t t = now_ns();
  if (shown_ && t - last_ns_ < 200000000) return;
  last_ns_ = t;
  std::string line = text;
  if (fraction >= 0) {
    fraction = std::min(1.0, fraction);
    const double secs = double(t - start_ns_) / 1e9;
    char buf[64];
    if (fraction > 0.001) {
      std::snprintf(buf, sizeof buf, " (%.0f%%, ETA %.0fs)", fraction * 100, secs * (1 - fraction) / fraction);
    } else {
      std::snprintf(buf, sizeof buf, " (%.0f%%)", fraction * 100);
    }
    line += buf;
  }
  std::fprintf(stderr, "\r\033[K%s: %s", prefix_.c_str(), line.c_str());
  shown_ = true;
}

std::string progress_mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / double(1 << 20));
  return buf;
}

uint64_t input_total_bytes(const std::vector<std::string>& inputs) {
  if (inputs.empty()) return 0;  // stdin
  uint64_t total = 0;
  for (const auto& in : inputs) {
    struct stat st;
    if (in == "-" || ::stat(in.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    total += uint64_t(st.st_size);
  }
  return total;
}

void Progress::done() {
  if (tty_ && shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

}  // namespace vmt::ops
