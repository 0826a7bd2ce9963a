// Makes a pull bundle of N synthetic reports for the console benchmarks (bench/console_scale.sh,
// console_web.py, console_import.py): a fresh force key pair (its secret key file, passphrase
// "bench passphrase"), and N envelopes of report metadata (one in ten "someone at risk") sealed
// to it, written as a bundle. With ATTACHMENT_MIB each report carries a made-up attachment of
// that size, sealed straight into the bundle as the server and sealdrop-transfer pull would
// stream it (constant memory).
//   make_pull_bundle N OUT_DIR [ATTACHMENT_MIB]
//     → OUT_DIR/MET.secret, OUT_DIR/passphrase.txt, OUT_DIR/pull.bundle
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/io.h"
#include "crypto/envelope_writer.h"
#include "crypto/keyfile/secret_key_file.h"
#include "journalist_console/bundle/bundle.h"

using namespace sealdrop;

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: make_pull_bundle N OUT_DIR [ATTACHMENT_MIB]\n");
    return 2;
  }
  const long n = std::stol(argv[1]);
  const std::string dir = argv[2];
  const std::uint64_t attachment = argc == 4 ? std::stoull(argv[3]) << 20 : 0;
  const KeyPair force = GenerateKeyPair(KeyRole::kForceDecryption);
  const std::string pass = "bench passphrase";
  if (!WriteFileAtomically(dir + "/passphrase.txt", pass + "\n", 0600, true).ok() ||
      !WriteSecretKeyFile(dir + "/MET.secret", force, SecretBuffer::CopyOf(std::string_view(pass))).ok()) {
    std::fprintf(stderr, "cannot write the key\n");
    return 1;
  }
  auto writer = bundle::BundleWriter::Create(dir + "/pull.bundle", "pull", "MET", "2026-11-22");
  if (!writer) return 1;
  const KeyPair source = GenerateKeyPair(KeyRole::kSource);
  const char* categories[] = {"corruption", "personal_advantage", "sexual", "domestic", "discrimination", "other"};
  for (long i = 0; i < n; ++i) {
    const nlohmann::json meta = {
        {"version", 1}, {"kind", "report"}, {"force", "MET"}, {"day", "2026-11-22"},
        {"source", {{"ref", std::string(64, 'a')}, {"key", source.public_key.ToText()}}},
        {"category", categories[i % 6]}, {"at_risk", i % 10 == 0 ? "yes" : "no"},
        {"what", "Synthetic report number " + std::to_string(i) + " for the console benchmark."}};
    const std::vector<PublicKey> to = {force.public_key};
    if (attachment > 0) {
      if (!writer->BeginItem({bundle::NewItemId(), "report", "2026-11-22", 0, 0, "", "", ""}).ok()) return 1;
      auto env = SealedEnvelopeWriter::Begin(writer->item_sink(), to, meta.dump());
      if (!env || !env->BeginPart({"video.bin", "application/octet-stream"}).ok()) return 1;
      std::vector<std::uint8_t> block(1 << 16);
      for (std::uint64_t done = 0; done < attachment; done += block.size()) {
        for (std::size_t j = 0; j < block.size(); j += 8) block[j] = static_cast<std::uint8_t>(done >> 16) ^ static_cast<std::uint8_t>(j);
        const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), attachment - done));
        if (!env->Write(std::span(block).first(len)).ok()) return 1;
      }
      if (!env->Finish().ok() || !writer->EndItem().ok()) return 1;
      continue;
    }
    auto sealed = SealToBytes(to, meta.dump(), {"note.txt", "text/plain"}, AsBytes("attachment"));
    if (!sealed) return 1;
    MemorySource src(*sealed);
    if (!writer->AddItem({bundle::NewItemId(), "report", "2026-11-22", 0, 0, "", "", ""}, src).ok()) return 1;
  }
  if (!writer->Commit().ok()) return 1;
  std::printf("%ld reports in %s/pull.bundle\n", n, dir.c_str());
  return 0;
}
