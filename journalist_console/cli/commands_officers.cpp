// officer init | add | remove | list | passwd: the console's officer accounts (docs/console.md §5).
#include <cstdio>
#include <memory>

#include "journalist_console/cli/case_options.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/core/case_files.h"
#include "journalist_console/core/officers.h"

namespace sealdrop::console {
namespace {

// A console from before officers: opened once by its single key file, which gives its first
// supervisor. The key file is the one given, or the one the console recorded at its first import.
struct OfficerInitOptions {
  CaseCommandOptions c;
  std::string key;
  std::string key_passphrase_file;
};

int OfficerInit(const OfficerInitOptions& o) {
  auto store = ConsoleStore::Open(o.c.data);
  if (!store) return Report(store.error());
  auto officers = ListOfficers(**store);
  if (!officers) return Report(officers.error());
  if (!officers->empty()) {
    return Report("this console has officers already: a supervisor adds more with `officer add`");
  }
  std::string path = o.key;
  if (path.empty()) {
    auto recorded = (*store)->GetMeta("key_path");
    if (!recorded) return Report(recorded.error());
    if (!*recorded || (*recorded)->empty()) return Report("give the force key with --key CODE.secret");
    path = **recorded;
  }
  auto pass = NewOfficerPassphrase(o.c.who.officer, o.c.who.passphrase_file);
  if (!pass) return Report(pass.error());
  auto key = UnlockForceKeyFile(path, o.key_passphrase_file);
  if (!key) return Report(key.error());
  if (auto st = InitOfficers(**store, *key, o.c.who.officer, *pass); !st) return Report(st.error());
  std::printf("%s is this console's first supervisor; the key now opens only with an officer's "
              "passphrase\n", o.c.who.officer.c_str());
  return 0;
}

struct OfficerAddOptions {
  CaseCommandOptions c;
  std::string name;
  std::string role;
  std::string new_passphrase_file;
};

int OfficerAdd(const OfficerAddOptions& o) {
  const auto role = OfficerRoleFromName(o.role);
  if (!role) return Report("role must be assessor or supervisor");
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  if (auto st = in->session.RequireSupervisor("add officers"); !st) return Report(st.error());
  auto pass = NewOfficerPassphrase(o.name, o.new_passphrase_file);
  if (!pass) return Report(pass.error());
  if (auto st = AddOfficer(*in->store, in->session, o.name, *role, *pass); !st) {
    return Report(st.error());
  }
  std::printf("officer %s added (%s)\n", o.name.c_str(), o.role.c_str());
  return 0;
}

struct OfficerRemoveOptions {
  CaseCommandOptions c;
  std::string name;
};

int OfficerRemove(const OfficerRemoveOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  if (auto st = RemoveOfficer(*in->store, in->session, o.name); !st) return Report(st.error());
  std::printf("officer %s removed: their passphrase no longer unlocks this console\n", o.name.c_str());
  return 0;
}

int OfficerList(const std::string& data) {
  auto store = ConsoleStore::Open(data);
  if (!store) return Report(store.error());
  auto officers = ListOfficers(**store);
  if (!officers) return Report(officers.error());
  auto rows = (*store)->Officers();
  if (!rows) return Report(rows.error());
  std::printf("%-32s  %-10s  %-10s  %s\n", "OFFICER", "ROLE", "ADDED", "BY");
  for (const auto& r : *rows) {
    std::printf("%-32s  %-10s  %-10s  %s%s\n", TerminalSafe(r.name).c_str(), TerminalSafe(r.role).c_str(),
                TerminalSafe(r.added_day).c_str(), TerminalSafe(r.added_by).c_str(),
                r.removed_day.empty() ? "" : ("  (removed " + TerminalSafe(r.removed_day) + ")").c_str());
  }
  if (officers->empty()) std::printf("no officers yet: run `sealdrop-console officer init`\n");
  return 0;
}

struct OfficerPasswdOptions {
  CaseCommandOptions c;
  std::string new_passphrase_file;
};

int OfficerPasswd(const OfficerPasswdOptions& o) {
  auto in = OpenAndSignIn(o.c);
  if (!in) return Report(in.error());
  auto pass = NewOfficerPassphrase(in->session.name(), o.new_passphrase_file);
  if (!pass) return Report(pass.error());
  if (auto st = ChangePassphrase(*in->store, in->session, *pass); !st) return Report(st.error());
  std::printf("passphrase of %s changed\n", in->session.name().c_str());
  return 0;
}

}  // namespace

void AddOfficerCommands(CLI::App& app, int& exit_code) {
  auto* officer = app.add_subcommand("officer", "Officer accounts: each with their own passphrase");
  officer->require_subcommand(1);

  auto i = std::make_shared<OfficerInitOptions>();
  auto* init = officer->add_subcommand(
      "init", "Make the first supervisor of a console made before officers (opens its key file once)");
  AddCaseCommandOptions(init, i->c);
  init->add_option("--key", i->key, "CODE.secret (default: the key of the first import)");
  init->add_option("--key-passphrase-file", i->key_passphrase_file, "Passphrase of CODE.secret");
  init->callback([i, &exit_code] { exit_code = OfficerInit(*i); });

  auto a = std::make_shared<OfficerAddOptions>();
  auto* add = officer->add_subcommand("add", "Add an officer (supervisors only)");
  AddCaseCommandOptions(add, a->c);
  add->add_option("name", a->name, "The new officer's name (a-z 0-9 . _ -)")->required();
  add->add_option("--role", a->role, "assessor | supervisor")->required();
  add->add_option("--new-passphrase-file", a->new_passphrase_file,
                  "The new officer's passphrase (default: asked twice)");
  add->callback([a, &exit_code] { exit_code = OfficerAdd(*a); });

  auto r = std::make_shared<OfficerRemoveOptions>();
  auto* remove = officer->add_subcommand("remove", "Remove an officer and their key slot (supervisors only)");
  AddCaseCommandOptions(remove, r->c);
  remove->add_option("name", r->name, "The officer to remove")->required();
  remove->callback([r, &exit_code] { exit_code = OfficerRemove(*r); });

  auto l = std::make_shared<std::string>();
  auto* list = officer->add_subcommand("list", "List the officers, their roles and who added them");
  list->add_option("--data", *l, "Console directory")->required();
  list->callback([l, &exit_code] { exit_code = OfficerList(*l); });

  auto p = std::make_shared<OfficerPasswdOptions>();
  auto* passwd = officer->add_subcommand("passwd", "Change your own passphrase");
  AddCaseCommandOptions(passwd, p->c);
  passwd->add_option("--new-passphrase-file", p->new_passphrase_file,
                     "The new passphrase (default: asked twice)");
  passwd->callback([p, &exit_code] { exit_code = OfficerPasswd(*p); });
}

}  // namespace sealdrop::console
