// directory build | sign | verify | renew.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

#include "common/clock.h"
#include "common/io.h"
#include "crypto/directory.h"
#include "crypto/keyfile/secret_key_file.h"
#include "crypto/public_key_file.h"
#include "journalist_console/cli/commands.h"
#include "journalist_console/secret_input/passphrase.h"
#include "journalist_console/core/uk_forces.h"

namespace sealdrop::console {
namespace {

constexpr std::size_t kMaxDirectoryFileBytes = 1 << 20;

struct BuildOptions {
  std::string keys;
  std::string out;
  int valid_days = 365;
  long long serial = 1;
  bool skip_missing = false;
};

int Build(const BuildOptions& o) {
  if (o.valid_days < 1 || o.valid_days > 3660) return Report("--valid-days must be 1 to 3660");
  if (o.serial < 1) return Report("--serial must be a positive number");
  const std::string today = TodayUtc();
  const std::string expires = AddDays(today, o.valid_days);
  nlohmann::json forces = nlohmann::json::array();
  std::string missing;
  for (const auto& f : UkForces()) {
    const std::string code(f.code);
    auto dec = ReadPublicKeyFile(JoinPath(o.keys, code + ".public"), KeyRole::kForceDecryption);
    auto xfer =
        ReadPublicKeyFile(JoinPath(o.keys, code + "-transfer.public"), KeyRole::kForceTransfer);
    if (!dec || !xfer) {
      const Error& e = !dec ? dec.error() : xfer.error();
      if (e.code != ErrorCode::kIo) return Report("force " + code + ": " + e.message);
      missing += missing.empty() ? code : ", " + code;
      continue;
    }
    forces.push_back({{"code", code},
                      {"name", std::string(f.name)},
                      {"decryption_keys", {dec->ToText()}},
                      {"transfer_key", xfer->ToText()},
                      {"valid_from", today},
                      {"valid_until", expires}});
  }
  if (!missing.empty() && !o.skip_missing) {
    return Report("no key files in " + o.keys + " for: " + missing +
                  " (run keygen for them, or pass --skip-missing)");
  }
  if (forces.empty()) return Report("no force has key files in " + o.keys);
  const nlohmann::json body = {{"version", 1},     {"serial", o.serial}, {"issued", today},
                               {"expires", expires}, {"forces", forces}};
  if (auto st = WriteFileAtomically(o.out, body.dump(2) + "\n", 0644, false); !st) {
    return Report(st.error());
  }
  std::printf("wrote %zu forces to %s (sign it with 'directory sign')\n", forces.size(),
              o.out.c_str());
  return 0;
}

struct SignOptions {
  std::string root_key;
  std::string in;
  std::string out;
  std::string passphrase_file;
};

int Sign(const SignOptions& o) {
  auto body = ReadSmallFile(o.in, kMaxDirectoryFileBytes);
  if (!body) return Report(body.error());
  if (PathExists(o.out)) return Report(o.out + " already exists: refusing to overwrite it");
  auto pass = ReadPassphrase({"Passphrase for " + o.root_key, o.passphrase_file, false});
  if (!pass) return Report(pass.error());
  auto root = ReadSecretKeyFile(o.root_key, *pass, KeyRole::kRoot);
  if (!root) return Report(root.error());
  auto signed_text = ForceDirectory::Sign(*body, *root, TodayUtc());
  if (!signed_text) return Report(signed_text.error());
  if (auto st = WriteFileAtomically(o.out, *signed_text, 0644, false); !st) {
    return Report(st.error());
  }
  std::printf("signed directory written to %s\n", o.out.c_str());
  return 0;
}

struct RenewOptions {
  std::string root_key;
  std::string in;
  std::string out;
  std::string passphrase_file;
  int valid_days = 365;
};

// The same forces and keys, a serial one higher, issued today and expiring `valid_days` on. A
// force whose keys ran to the old expiry day runs to the new one; one whose keys were made to end
// earlier (being retired) keeps its day. The current directory may have expired already: renewing
// is how an expired service comes back.
int Renew(const RenewOptions& o) {
  if (o.valid_days < 1 || o.valid_days > 3660) return Report("--valid-days must be 1 to 3660");
  if (PathExists(o.out)) return Report(o.out + " already exists: refusing to overwrite it");
  auto pass = ReadPassphrase({"Passphrase for " + o.root_key, o.passphrase_file, false});
  if (!pass) return Report(pass.error());
  auto root = ReadSecretKeyFile(o.root_key, *pass, KeyRole::kRoot);
  if (!root) return Report(root.error());
  const std::string today = TodayUtc();
  auto current = ForceDirectory::Load(o.in, root->public_key, today, ForceDirectory::Expiry::kAccept);
  if (!current) return Report(current.error());
  const std::string expires = AddDays(today, o.valid_days);
  nlohmann::json forces = nlohmann::json::array();
  for (const auto& f : current->forces()) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : f.decryption_keys) keys.push_back(k.ToText());
    const bool ran_to_expiry = f.valid_until >= current->expires();
    forces.push_back({{"code", f.code},
                      {"name", f.name},
                      {"decryption_keys", keys},
                      {"transfer_key", f.transfer_key.ToText()},
                      {"valid_from", f.valid_from},
                      {"valid_until", ran_to_expiry ? expires : f.valid_until}});
  }
  const nlohmann::json body = {{"version", 1},       {"serial", current->serial() + 1},
                               {"issued", today},    {"expires", expires},
                               {"forces", forces}};
  auto signed_text = ForceDirectory::Sign(body.dump(), *root, today);
  if (!signed_text) return Report(signed_text.error());
  if (auto st = WriteFileAtomically(o.out, *signed_text, 0644, false); !st) return Report(st.error());
  std::printf("renewed: serial %lld -> %lld, expires %s -> %s, %zu forces, written to %s\n"
              "install it on the server by rename (install -m 0644 %s "
              "/etc/sealdrop/directory.signed): the server takes it within a minute, or at once "
              "with systemctl reload sealdrop-server\n",
              current->serial(), current->serial() + 1, current->expires().c_str(),
              expires.c_str(), current->forces().size(), o.out.c_str(), o.out.c_str());
  return 0;
}

struct VerifyOptions {
  std::string root_pub;
  std::string in;
};

int Verify(const VerifyOptions& o) {
  auto root = ReadPublicKeyFile(o.root_pub, KeyRole::kRoot);
  if (!root) return Report(root.error());
  auto dir = ForceDirectory::Load(o.in, *root, TodayUtc());
  if (!dir) return Report(dir.error());
  std::printf("valid force directory: serial %lld, issued %s, expires %s, %zu forces\n",
              dir->serial(), dir->issued().c_str(), dir->expires().c_str(),
              dir->forces().size());
  for (const auto& f : dir->forces()) {
    std::printf("  %-9s %-45s dec %s  xfer %s\n", f.code.c_str(), f.name.c_str(),
                f.decryption_keys.front().Fingerprint().c_str(),
                f.transfer_key.Fingerprint().c_str());
  }
  return 0;
}

}  // namespace

void AddDirectoryCommands(CLI::App& app, int& exit_code) {
  auto* dir = app.add_subcommand("directory", "Build, sign and verify the force directory");
  dir->require_subcommand(1);

  auto b = std::make_shared<BuildOptions>();
  auto* build = dir->add_subcommand("build", "Write forces.json from the UK force list and keys");
  build->add_option("--keys", b->keys, "Directory holding CODE.public and CODE-transfer.public")
      ->required();
  build->add_option("--out", b->out, "Output JSON file")->required();
  build->add_option("--valid-days", b->valid_days, "Days until the directory expires (365)");
  build->add_option("--serial", b->serial, "Serial number, higher than the last one (1)");
  build->add_flag("--skip-missing", b->skip_missing, "Leave out forces that have no key files");
  build->callback([b, &exit_code] { exit_code = Build(*b); });

  auto s = std::make_shared<SignOptions>();
  auto* sign = dir->add_subcommand("sign", "Sign forces.json with the national root key");
  sign->add_option("--root-key", s->root_key, "root.secret")->required();
  sign->add_option("--in", s->in, "forces.json")->required();
  sign->add_option("--out", s->out, "directory.signed")->required();
  sign->add_option("--passphrase-file", s->passphrase_file, "Passphrase for root.secret");
  sign->callback([s, &exit_code] { exit_code = Sign(*s); });

  auto r = std::make_shared<RenewOptions>();
  auto* renew = dir->add_subcommand(
      "renew", "Re-sign a directory (even an expired one) with a new expiry and a higher serial");
  renew->add_option("--root-key", r->root_key, "root.secret")->required();
  renew->add_option("--in", r->in, "the current directory.signed")->required();
  renew->add_option("--out", r->out, "the renewed directory.signed")->required();
  renew->add_option("--valid-days", r->valid_days, "Days until the new directory expires (365)");
  renew->add_option("--passphrase-file", r->passphrase_file, "Passphrase for root.secret");
  renew->callback([r, &exit_code] { exit_code = Renew(*r); });

  auto v = std::make_shared<VerifyOptions>();
  auto* verify = dir->add_subcommand("verify", "Check a signed directory against the root key");
  verify->add_option("--root-pub", v->root_pub, "root.public (the pinned root key)")->required();
  verify->add_option("--in", v->in, "directory.signed")->required();
  verify->callback([v, &exit_code] { exit_code = Verify(*v); });
}

}  // namespace sealdrop::console
