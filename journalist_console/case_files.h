// What the console's commands share: unlocking the force key, opening a stored envelope (always
// to its verified end), and printing untrusted text safely on an officer's terminal.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/envelope_reader.h"
#include "crypto/keys.h"
#include "journalist_console/store/console_store.h"

namespace sealdrop::console {

struct KeyOptions {
  std::string key;              // --key; empty: the one recorded at import
  std::string passphrase_file;  // --passphrase-file; empty: ask on the terminal
};

// What every case command takes: the console directory and the force key.
struct CaseCommandOptions {
  std::string data;
  KeyOptions key;
};
// Registers --data (required), --key and --passphrase-file on `command`.
void AddCaseCommandOptions(CLI::App* command, CaseCommandOptions& options);

// Unlocks the force decryption key (Argon2id; the secret is wiped when the KeyPair goes).
Result<KeyPair> UnlockForceKey(ConsoleStore& store, const KeyOptions& options);

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
