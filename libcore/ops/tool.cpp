#include "ops/tool.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
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

void log_line(const std::string& msg) { std::fprintf(stderr, "%s: %s\n", g_prog.c_str(), msg.c_str()); }

int exit_code_for(const Status& st) {
  switch (st.code()) {
    case Code::ok: return kExitOk;
    case Code::invalid_argument: return kExitUsage;
    case Code::io_error: return kExitEnv;
    default: return kExitData;
  }
}

int run_tool(const char* prog, CLI::App& app, int argc, char** argv, const std::function<Status(int*)>& fn) {
  set_prog_name(prog);
  try {
    app.parse(argc, argv);
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
    std::fprintf(stderr, "%s: %s\nRun with --help for usage.\n", prog, e.what());
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
  size_t want = buf_.size();
  size_t n = std::fwrite(buf_.data(), 1, want, f_);
  buf_.clear();
  if (n != want || std::fflush(f_) != 0) {
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

Progress::Progress(std::string prefix) : prefix_(std::move(prefix)), tty_(::isatty(2) == 1) {}

Progress::~Progress() { done(); }

void Progress::update(const std::string& text) {
  if (!tty_) return;
  int64_t t = now_ns();
  if (shown_ && t - last_ns_ < 200000000) return;
  last_ns_ = t;
  std::fprintf(stderr, "\r\033[K%s: %s", prefix_.c_str(), text.c_str());
  shown_ = true;
}

void Progress::done() {
  if (tty_ && shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

}  // namespace vmt::ops
