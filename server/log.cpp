#include "server/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <unordered_map>

namespace sealdrop::server::log {
namespace {

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = [] {
    auto l = spdlog::stderr_logger_mt("sealdrop");
    // No timestamps: logs must not carry exact times. Level and event only.
    l->set_pattern("sealdrop-server %l: %v");
    return l;
  }();
  return logger;
}

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void Event(Level level, const char* event) { Logger()->log(ToSpd(level), "{}", event); }

void Count(Level level, const char* event, std::size_t count) {
  std::size_t coarse = 0;
  if (count > 0) {
    coarse = 1;
    while (coarse <= count / 10) coarse *= 10;
  }
  Logger()->log(ToSpd(level), "{} (about {})", event, coarse);
}

bool CountRepeated(Level level, const char* event) {
  static std::mutex mu;
  static std::unordered_map<const char*, std::size_t> seen;  // keyed by the literal: bounded
  std::size_t count = 0;
  {
    std::lock_guard lock(mu);
    count = ++seen[event];
  }
  std::size_t n = count;
  while (n % 10 == 0) n /= 10;
  if (n != 1) return false;
  Count(level, event, count);
  return true;
}

void SetMinimumLevel(Level level) { Logger()->set_level(ToSpd(level)); }

}  // namespace sealdrop::server::log
