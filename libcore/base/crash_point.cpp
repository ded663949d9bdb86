#include "base/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace vmt {

namespace {

struct Target {
  std::string name;  // empty: no crash point armed
  long nth = 1;
  std::atomic<long> seen{0};
};

Target& target() {
  static Target* t = [] {
    auto* t = new Target;  // never destroyed: crash points may be passed during exit
    if (const char* env = std::getenv("VMT_CRASH_AT")) {
      std::string v = env;
      const size_t colon = v.rfind(':');
      if (colon != std::string::npos) {
        t->nth = std::max(1L, std::strtol(v.c_str() + colon + 1, nullptr, 10));
        v.resize(colon);
      }
      t->name = v;
    }
    return t;
  }();
  return *t;
}

}  // namespace

void crash_point(const char* name) {
  Target& t = target();
  if (t.name.empty() || t.name != name) return;
  if (t.seen.fetch_add(1) + 1 != t.nth) return;
  char msg[256];
  const int n = std::snprintf(msg, sizeof msg, "crash point %s:%ld reached: SIGKILL\n", name, t.nth);
  if (n > 0) (void)!::write(2, msg, size_t(std::min<int>(n, int(sizeof msg) - 1)));
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);  // not reached
}

}  // namespace vmt
