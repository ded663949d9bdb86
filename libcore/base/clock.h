// Elapsed wall time for the tools' reports (steady clock: immune to clock changes).
#pragma once

#include <chrono>

namespace vmt {

using SteadyClock = std::chrono::steady_clock;

// Seconds from t0 to now.
inline double seconds_since(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

}  // namespace vmt
