// sealdrop-console's subcommands. Each Add* registers its commands on `app`; a command's handler
// stores its exit status in `exit_code` (0 success, 1 failure with one line on stderr).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "common/result.h"
#include "journalist_console/core/delivery.h"

namespace sealdrop::console {

void AddKeyCommands(CLI::App& app, int& exit_code);
void AddDirectoryCommands(CLI::App& app, int& exit_code);
void AddSealCommands(CLI::App& app, int& exit_code);
void AddCaseCommands(CLI::App& app, int& exit_code);    // init import list show triage
void AddExportCommand(CLI::App& app, int& exit_code);   // export-attachment
void AddExportCaseCommand(CLI::App& app, int& exit_code);  // export-case
void AddOutboxCommands(CLI::App& app, int& exit_code);  // reply forward outbox
void AddAuditCommands(CLI::App& app, int& exit_code);   // audit verify|list, stats
void AddOfficerCommands(CLI::App& app, int& exit_code); // officer init|add|remove|list|passwd
void AddServeCommand(CLI::App& app, int& exit_code);    // serve (the web face)

// Runs the whole command line; returns the process exit status.
int RunConsole(int argc, char** argv);

// Prints "sealdrop-console: <message>" to stderr; returns 1.
int Report(const Error& error);
int Report(const std::string& message);

// What reading push results said: warnings on stderr, the rest on stdout (commands_outbox.cpp).
void PrintPushNotices(const std::vector<PushNotice>& notices);

// Creates `dir` (and parents) with mode 0700 if missing.
Status EnsurePrivateDirectory(const std::string& dir);
// "DIR/NAME" without doubling slashes.
std::string JoinPath(const std::string& dir, const std::string& name);

}  // namespace sealdrop::console
