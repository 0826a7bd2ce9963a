// How tests run sealdrop-console: as one officer, "psd", whose passphrase is the same file as the
// force key's (docs/console.md §5). A console is made with ConsoleInit, then every command signs
// in with SignedInAs.
#pragma once

#include <string>
#include <vector>

namespace sealdrop::testing {

inline constexpr const char* kTestOfficer = "psd";

// `args` (a console command without the program name) with --officer psd --passphrase-file.
inline std::vector<std::string> SignedInAs(std::vector<std::string> args,
                                           const std::string& passphrase_file,
                                           const std::string& officer = kTestOfficer) {
  args.insert(args.end(), {"--officer", officer, "--passphrase-file", passphrase_file});
  return args;
}

// `init --data DATA` with the force key and `psd` as the first supervisor; `extra` (e.g.
// --directory F --root-pub F) appended.
inline std::vector<std::string> ConsoleInit(const std::string& data, const std::string& key_file,
                                            const std::string& passphrase_file,
                                            std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"init", "--data", data, "--key", key_file,
                                   "--key-passphrase-file", passphrase_file};
  args.insert(args.end(), extra.begin(), extra.end());
  return SignedInAs(args, passphrase_file);
}

// `args` signed in as psd; an `init` is also given the force key (`init_key_file`) that makes psd
// the console's first supervisor.
inline std::vector<std::string> AsOfficer(std::vector<std::string> args,
                                          const std::string& passphrase_file,
                                          const std::string& init_key_file) {
  if (!args.empty() && args[0] == "init") {
    args.insert(args.end(), {"--key", init_key_file, "--key-passphrase-file", passphrase_file});
  }
  return SignedInAs(args, passphrase_file);
}

}  // namespace sealdrop::testing
