#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/version.h"
#include "journalist_console/cli/commands.h"

namespace sealdrop::console {

int Report(const Error& error) { return Report(error.message); }

int Report(const std::string& message) {
  std::fprintf(stderr, "sealdrop-console: %s\n", message.c_str());
  return 1;
}

Status EnsurePrivateDirectory(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::Ok();
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create directory " + dir + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) {
    return MakeError(ErrorCode::kIo, "cannot set permissions on " + dir);
  }
  return Status::Ok();
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

int RunConsole(int argc, char** argv) {
  // Key material must never end up in a core dump.
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);

  CLI::App app{"SealDrop console: keys, the signed force directory, sealing and opening"};
  app.name("sealdrop-console");
  app.set_version_flag("--version", std::string("sealdrop-console ") + kVersion);
  app.require_subcommand(1);
  int exit_code = 0;
  AddKeyCommands(app, exit_code);
  AddDirectoryCommands(app, exit_code);
  AddSealCommands(app, exit_code);
  AddCaseCommands(app, exit_code);
  AddExportCommand(app, exit_code);
  AddExportCaseCommand(app, exit_code);
  AddOutboxCommands(app, exit_code);
  AddAuditCommands(app, exit_code);
  AddOfficerCommands(app, exit_code);
  AddServeCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}

}  // namespace sealdrop::console
