#include "server/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace sealdrop::server::log {
namespace {

// "<N>", the syslog priority of the line's level, which the journal reads off the start of each
// line (sd-daemon(3)). Without it every line is stored at one priority, and the unit's
// LogLevelMax could keep either all of them or none.
class JournalPriority final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const char* prefix = "<6>";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug: prefix = "<7>"; break;
      case spdlog::level::warn: prefix = "<4>"; break;
      case spdlog::level::err: prefix = "<3>"; break;
      case spdlog::level::critical: prefix = "<2>"; break;
      default: break;
    }
    dest.append(prefix, prefix + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriority>();
  }
};

// True when stderr is the journal's stream: systemd sets JOURNAL_STREAM to its "device:inode".
bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == st.st_dev && ino == st.st_ino;
}

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = [] {
    auto l = spdlog::stderr_logger_mt("sealdrop");
    // No timestamps: logs must not carry exact times. Level and event only.
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JournalPriority>('*').set_pattern(
        StderrIsJournal() ? "%*sealdrop-server %l: %v" : "sealdrop-server %l: %v");
    l->set_formatter(std::move(formatter));
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
