// What the console's faces share about case files: opening a stored envelope (always to its
// verified end) and making untrusted text safe to print on an officer's terminal.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/envelope_reader.h"
#include "crypto/keys.h"
#include "journalist_console/core/store/console_store.h"

namespace sealdrop::console {

struct PartSummary {
  PartInfo info;
  std::uint64_t size = 0;
};

struct OpenedItem {
  nlohmann::json meta;
  std::vector<PartSummary> parts;
};

// Opens the envelope at `path` with `key` and reads it to its verified end. `on_data`, if set,
// receives every part's bytes (part index from 0); an error from it stops the read.
using PartDataFn = std::function<Status(std::size_t part, std::span<const std::uint8_t> data)>;
Result<OpenedItem> ReadSealedItem(const std::string& path, const KeyPair& key,
                                  const PartDataFn& on_data = {});
Result<OpenedItem> ReadSealedItem(ByteSource& source, const KeyPair& key,
                                  const PartDataFn& on_data = {});

// Untrusted text made safe for a terminal: control characters (ESC included) and invalid UTF-8
// become '?', line ends kept only when `multiline`.
std::string TerminalSafe(std::string_view text, bool multiline = false);

// "MET" etc., from the first import; an error if nothing was imported yet.
Result<std::string> ConsoleForce(ConsoleStore& store);

std::string JsonString(const nlohmann::json& j, const char* key);

}  // namespace sealdrop::console
