#include "common/progress.h"

#include <unistd.h>

#include <algorithm>

namespace sealdrop {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;
constexpr std::uint64_t kMinStep = kMiB;
constexpr std::uint64_t kUnknownTotalStep = 16 * kMiB;

std::string WithSeparators(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

std::string SizeText(std::uint64_t bytes) {
  constexpr std::uint64_t kGiB = kMiB << 10;
  char buf[32];
  if (bytes >= kGiB) {
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / static_cast<double>(kGiB));
  } else if (bytes >= kMiB) {
    std::snprintf(buf, sizeof buf, "%llu MiB", static_cast<unsigned long long>(bytes / kMiB));
  } else {
    std::snprintf(buf, sizeof buf, "%llu KiB", static_cast<unsigned long long>(bytes >> 10));
  }
  return buf;
}

}  // namespace

ByteProgress::ByteProgress(ByteProgressFn fn, std::uint64_t total)
    : fn_(std::move(fn)), total_(total),
      step_(total == 0 ? kUnknownTotalStep : std::max(kMinStep, total / 100)) {}

void ByteProgress::Start() {
  next_ = step_;
  reported_ = 0;
  if (fn_) fn_(0, total_);
}

void ByteProgress::Advance(std::uint64_t bytes) {
  done_ += bytes;
  if (done_ < next_ || (total_ != 0 && done_ >= total_)) return;  // the end is Finish()'s
  next_ = done_ + step_;
  Report();
}

void ByteProgress::Finish() {
  if (total_ != 0) done_ = total_;
  if (reported_ != done_) Report();
}

void ByteProgress::Report() {
  reported_ = done_;
  if (fn_) fn_(done_, total_);
}

std::string ProgressText(std::uint64_t done, std::uint64_t total) {
  if (total == 0) return SizeText(done);
  const auto percent = static_cast<unsigned>(std::min<std::uint64_t>(100, done * 100 / total));
  return SizeText(done) + " of " + SizeText(total) + " (" + std::to_string(percent) + "%)";
}

std::string MebibytesText(std::uint64_t bytes) { return WithSeparators((bytes + kMiB / 2) / kMiB); }

std::string ProgressPageText(std::uint64_t done, std::uint64_t total) {
  const bool small = total > 0 && total < 2 * kMiB;
  auto text = [small](std::uint64_t n) {
    return small ? WithSeparators((n + 512) / 1024) + " KiB" : MebibytesText(n) + " MiB";
  };
  if (total == 0) return text(done);
  const auto percent = std::min<std::uint64_t>(100, done * 100 / total);
  return text(done) + " of " + text(total) + " (" + std::to_string(percent) + "%)";
}

StderrProgress::StderrProgress(std::string what, bool plain)
    : what_(std::move(what)), tty_(::isatty(2) != 0), plain_(plain) {}

ByteProgressFn StderrProgress::Callback() {
  return [this](std::uint64_t done, std::uint64_t total) { Print(done, total); };
}

void StderrProgress::Print(std::uint64_t done, std::uint64_t total) {
  if (plain_) {
    std::fprintf(stderr, "%s: %s\n", what_.c_str(), ProgressText(done, total).c_str());
  } else if (tty_) {
    // \033[K clears what a longer earlier line left.
    std::fprintf(stderr, "\r%s: %s\033[K", what_.c_str(), ProgressText(done, total).c_str());
    open_line_ = true;
  }
  std::fflush(stderr);
}

void StderrProgress::End() {
  if (!open_line_) return;
  std::fprintf(stderr, "\n");
  open_line_ = false;
}

}  // namespace sealdrop
