// A ZIP archive written by libarchive straight into a ByteSink (no temporary file): what a case
// archive is made of (docs/console.md §7). Each file is added whole, with its size known, so the
// archive needs no data descriptors and opens in every unzip tool. Files are deflated.
// Not thread-safe; the sink must outlive the writer.
#pragma once

#include <ctime>
#include <memory>
#include <span>
#include <string>

#include "common/io.h"
#include "common/result.h"

namespace sealdrop::console {

class ZipWriter {
 public:
  // `modified`: the time every entry carries (the export's).
  static Result<ZipWriter> Open(ByteSink& out, std::time_t modified);
  ZipWriter(ZipWriter&&) noexcept;
  ZipWriter& operator=(ZipWriter&&) = delete;
  ~ZipWriter();

  // `name`: a relative path of ASCII letters, digits, '.', '-', '_' and '/' (the caller makes
  // names safe; anything else is refused as kInvalidArgument).
  Status Add(const std::string& name, std::span<const std::uint8_t> bytes);
  // Writes the central directory. Nothing may be added after.
  Status Finish();

 private:
  struct State;
  explicit ZipWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace sealdrop::console
