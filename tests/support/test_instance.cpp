#include "tests/support/test_instance.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>

#include "common/clock.h"
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
    : root_(GenerateKeyPair(KeyRole::kRoot)) {
  const std::string from = DayFromToday(-1);
  const std::string until = DayFromToday(365);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& code : forces) {
    dec_.emplace(code, GenerateKeyPair(KeyRole::kForceDecryption));
    xfer_.emplace(code, GenerateKeyPair(KeyRole::kForceTransfer));
    list.push_back({{"code", code},
                    {"name", ForceNames().at(code)},
                    {"decryption_keys", {dec_.at(code).public_key.ToText()}},
                    {"transfer_key", xfer_.at(code).public_key.ToText()},
                    {"valid_from", from},
                    {"valid_until", until}});
  }
  const nlohmann::json body = {
      {"version", 1}, {"serial", 1}, {"issued", from}, {"expires", until}, {"forces", list}};
  auto signed_text = ForceDirectory::Sign(body.dump(), root_, TodayUtc());
  if (!signed_text) throw std::runtime_error("TestInstance: " + signed_text.error().message);
  WriteFileOrDie(directory_file(), *signed_text);
  if (!WritePublicKeyFile(root_public_file(), root_.public_key).ok()) {
    throw std::runtime_error("TestInstance: cannot write root.public");
  }
  WriteFileOrDie(passphrase_file(), "test passphrase\n");
  std::filesystem::create_directories(dir_ / "keys");
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
