#include "tests/support/test_instance.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>

#include "common/clock.h"
#include "common/io.h"
#include "crypto/directory.h"
#include "crypto/keyfile/secret_key_file.h"
#include "crypto/public_key_file.h"

namespace sealdrop::testing {

std::string DayFromToday(int days) { return DayFromTodayUtc(days); }

namespace {

const std::map<std::string, std::string>& ForceNames() {
  static const std::map<std::string, std::string> names = {
      {"MET", "Metropolitan Police Service"},
      {"WMI", "West Midlands Police"},
      {"GMP", "Greater Manchester Police"},
      {"NATIONAL", "I don't know which force (national triage)"}};
  return names;
}

}  // namespace

TestInstance::TestInstance(std::vector<std::string> forces)
    : root_(GenerateKeyPair(KeyRole::kRoot)), forces_(std::move(forces)) {
  for (const auto& code : forces_) {
    dec_.emplace(code, GenerateKeyPair(KeyRole::kForceDecryption));
    xfer_.emplace(code, GenerateKeyPair(KeyRole::kForceTransfer));
  }
  WriteDirectory(1, -1, 365);
  if (!WritePublicKeyFile(root_public_file(), root_.public_key).ok()) {
    throw std::runtime_error("TestInstance: cannot write root.public");
  }
  WriteFileOrDie(passphrase_file(), "test passphrase\n");
  std::filesystem::create_directories(dir_ / "keys");
}

void TestInstance::WriteDirectory(long long serial, int from_days, int until_days) {
  const std::string from = DayFromToday(from_days);
  const std::string until = DayFromToday(until_days);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& code : forces_) {
    list.push_back({{"code", code},
                    {"name", ForceNames().at(code)},
                    {"decryption_keys", {dec_.at(code).public_key.ToText()}},
                    {"transfer_key", xfer_.at(code).public_key.ToText()},
                    {"valid_from", from},
                    {"valid_until", until}});
  }
  const nlohmann::json body = {
      {"version", 1}, {"serial", serial}, {"issued", from}, {"expires", until}, {"forces", list}};
  // Signed as on its issue day, so that an already expired one can be made too.
  auto signed_text = ForceDirectory::Sign(body.dump(), root_, from);
  if (!signed_text) throw std::runtime_error("TestInstance: " + signed_text.error().message);
  // Replaced whole (rename), as an operator's install does: a reader never sees half a file.
  if (!WriteFileAtomically(directory_file(), *signed_text, 0644, /*overwrite=*/true).ok()) {
    throw std::runtime_error("TestInstance: cannot write the directory");
  }
}

std::vector<std::string> TestInstance::ServerArgv(const std::string& server_bin,
                                                  const std::string& listen,
                                                  const std::vector<std::string>& extra) const {
  std::vector<std::string> argv = {server_bin,    "--listen",     listen,
                                   "--data",      data_dir(),     "--directory",
                                   directory_file(), "--root-pub", root_public_file()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::string TestInstance::SecretKeyFile(const std::string& code) {
  const std::string path = dir_ / ("keys/" + code + ".secret");
  if (std::filesystem::exists(path)) return path;
  const KeyPair& pair = dec_.at(code);
  if (!WriteSecretKeyFile(path, pair, SecretBuffer::CopyOf(std::string_view("test passphrase")))
           .ok()) {
    throw std::runtime_error("TestInstance: cannot write a secret key file");
  }
  return path;
}

}  // namespace sealdrop::testing

namespace sealdrop::testing {

std::string TestInstance::TransferKeyFile(const std::string& code) {
  const std::string path = dir_ / ("keys/" + code + "-transfer.secret");
  if (std::filesystem::exists(path)) return path;
  if (!WriteSecretKeyFile(path, xfer_.at(code),
                          SecretBuffer::CopyOf(std::string_view("test passphrase")))
           .ok()) {
    throw std::runtime_error("TestInstance: cannot write a transfer key file");
  }
  return path;
}

}  // namespace sealdrop::testing
