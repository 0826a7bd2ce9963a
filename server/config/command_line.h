// sealdrop-server's command line: the configuration file, the flags that override its keys
// (each named as its key is, docs/server-config.md) and the two operator commands.
#pragma once

#include <string>
#include <variant>

#include "server/config/server_config.h"

namespace sealdrop::server {

enum class ServerCommand {
  kServe,   // run the server
  kStatus,  // `status`: what waits per force, stored bytes, free disk (server/ops/status.h)
  kHealth,  // `health`: ask the running server (server/ops/health.h)
};

struct CommandLine {
  ServerCommand command = ServerCommand::kServe;
  // The file's keys with the flags applied over them (the defaults when there is no file),
  // validated for kServe and kHealth.
  ServerConfig config;
  // `status` only: the data directory to read ("" : not named, neither by `status --data`, nor
  // by `--data`, nor by a configuration file).
  std::string status_data_dir;
};

// The command line, or the exit code the run ends with: 0 after --help or --version, 2 after a
// usage error, 1 when the configuration file cannot be read or is invalid (each message
// printed on stderr).
std::variant<CommandLine, int> ParseCommandLine(int argc, char** argv);

}  // namespace sealdrop::server
