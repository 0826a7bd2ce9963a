// Progress in bytes for long work (import, outbox, pull): a meter that turns a stream of small
// advances (one per 64 KiB block) into a few steps, and the one way they are worded.
//
// A step is reported at the start, whenever the work has gone at least 1% of the total further
// and at least 1 MiB (so a 1 GiB import gives about 100 steps and a small one only a few), and
// at the end. The callback runs on the caller's thread, inside the work: it must not throw, and
// whatever it does (a line on a terminal, a chunk of a web page) delays the work.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace sealdrop {

// `total` is 0 when it is not known (the steps then come every 16 MiB).
using ByteProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

class ByteProgress {
 public:
  ByteProgress(ByteProgressFn fn, std::uint64_t total);
  // The first step (0 of total); call once before the work.
  void Start();
  void Advance(std::uint64_t bytes);
  // The last step (done == total when the total is known); call once the work succeeded.
  void Finish();
  std::uint64_t done() const { return done_; }

 private:
  void Report();
  ByteProgressFn fn_;
  std::uint64_t total_;
  std::uint64_t step_;
  std::uint64_t done_ = 0;
  std::uint64_t next_ = 0;
  std::uint64_t reported_ = ~std::uint64_t{0};  // the last step reported (Finish does not repeat it)
};

// "312 MiB of 1.0 GiB (30%)", or "312 MiB" when the total is not known.
std::string ProgressText(std::uint64_t done, std::uint64_t total);
// 1,024 (whole MiB, rounded, with thousands separators).
std::string MebibytesText(std::uint64_t bytes);
// "312 MiB of 1,024 MiB (30%)" for pages: whole MiB with separators, or KiB when the total is
// under 2 MiB (so a small bundle does not read "0 MiB of 0 MiB"); "312 MiB" without a total.
std::string ProgressPageText(std::uint64_t done, std::uint64_t total);

// Progress lines on stderr: "WHAT: 312 MiB of 1.0 GiB (30%)". On a terminal the line is
// rewritten in place; with `plain` (the commands' --progress) each step is a line of its own
// even when stderr is not a terminal; otherwise (scripts) nothing is printed.
class StderrProgress {
 public:
  StderrProgress(std::string what, bool plain);
  // A callback for ByteProgress (the object must outlive it).
  ByteProgressFn Callback();
  // Ends a rewritten line, so that the next message starts on a line of its own.
  void End();
  ~StderrProgress() { End(); }

 private:
  void Print(std::uint64_t done, std::uint64_t total);
  std::string what_;
  bool tty_;
  bool plain_;
  bool open_line_ = false;
};

}  // namespace sealdrop
