// `sealdrop-server status` (docs/operations.md "Monitoring"): what waits for each force's
// console, then the stored bytes and the free disk against the configuration's budgets.
#pragma once

#include <string>

#include "server/config/server_config.h"

namespace sealdrop::server {

// Prints the status of `data_dir` on stdout and returns the exit code (1 with a message on
// stderr when the index or the disk cannot be read). Opens the index read only, so it runs
// beside a live server.
int PrintStatus(const std::string& data_dir, const ServerConfig& config);

}  // namespace sealdrop::server
