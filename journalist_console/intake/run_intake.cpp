#include "journalist_console/intake/run_intake.h"

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/version.h"
#include "crypto/codename.h"
#include "crypto/directory.h"
#include "crypto/envelope_writer.h"
#include "crypto/keyfile/secret_key_file.h"
#include "crypto/public_key_file.h"
#include "journalist_console/bundle/bundle.h"
#include "journalist_console/intake/intake_form.h"
#include "journalist_console/secret_input/passphrase.h"
#include "journalist_console/transfer/api_client.h"
#include "report/report_schema.h"

namespace sealdrop::intake {
namespace {

struct Options {
  std::string server;
  std::string as;
  std::string key;
  std::string passphrase_file;
  std::string socks;
  std::string directory;
  std::string root_pub;
  std::string form;
  std::vector<std::string> attach;
};

constexpr int kUploadAttempts = 3;

int Fail(const std::string& message) {
  std::fprintf(stderr, "sealdrop-intake: %s\n", message.c_str());
  return 1;
}

// The sealed envelope, written to an unnamed temporary file (only ciphertext ever touches the
// disk) while its SHA-256 is computed for the request signature.
class SealedTempFile final : public ByteSink {
 public:
  ~SealedTempFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open() {
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = tmp && *tmp ? tmp : "/tmp";
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) return MakeError(ErrorCode::kIo, "cannot make a temporary file in " + dir + ": " + std::strerror(errno));
    return Status::Ok();
  }
  Status Write(std::span<const std::uint8_t> bytes) override {
    hasher_.Update(bytes);
    size_ += bytes.size();
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return MakeError(ErrorCode::kIo, std::string("cannot write the sealed report: ") + std::strerror(errno));
      bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return Status::Ok();
  }
  BodyDigest Digest() { return hasher_.Final(); }
  std::uint64_t size() const { return size_; }
  // A reader from the start of the file (the file stays open).
  Result<FileSource> Rewind() {
    if (::lseek(fd_, 0, SEEK_SET) != 0) return MakeError(ErrorCode::kIo, "cannot reread the sealed report");
    return FileSource::Borrow(fd_);
  }

 private:
  int fd_ = -1;
  BodyHasher hasher_;
  std::uint64_t size_ = 0;
};

Result<ForceDirectory> VerifiedDirectory(const Options& o) {
  auto root = ReadPublicKeyFile(o.root_pub, KeyRole::kRoot);
  if (!root) return root.error();
  return ForceDirectory::Load(o.directory, *root, TodayUtc());
}

// Each attachment is a readable regular file whose name the web form would accept.
Status CheckAttachments(const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return MakeError(ErrorCode::kNotFound, p + " is not a readable file");
    }
    if (auto ok = CheckUploadFileName(std::filesystem::path(p).filename().string()); !ok) {
      return MakeError(ErrorCode::kInvalidArgument, p + ": " + ok.error().message);
    }
  }
  return Status::Ok();
}

Status SealReport(const ForceEntry& force, const std::string& metadata,
                  const std::vector<std::string>& attach, SealedTempFile& out) {
  auto writer = SealedEnvelopeWriter::Begin(out, force.decryption_keys, metadata);
  if (!writer) return writer.error();
  std::vector<std::uint8_t> buf(64 * 1024);
  for (const auto& path : attach) {
    auto in = FileSource::Open(path);
    if (!in) return in.error();
    const std::string name = std::filesystem::path(path).filename().string();
    if (auto st = writer->BeginPart({name, "application/octet-stream"}); !st) return st;
    for (;;) {
      auto n = in->Read(buf);
      if (!n) return n.error();
      if (*n == 0) break;
      if (auto st = writer->Write(std::span(buf.data(), *n)); !st) return st;
    }
  }
  return writer->Finish();
}

Result<std::array<std::uint8_t, 32>> AskForSourceRef(transfer::ForceApiClient& client,
                                                     const SourceSecrets& secrets) {
  const std::string body = HexEncode(secrets.auth);
  MemorySource source(AsBytes(body));
  auto answer = client.Upload("/api/v1/source-refs", source, body.size(), Sha256(AsBytes(body)), "", "");
  if (!answer) return answer.error();
  const auto j = nlohmann::json::parse(answer->body, nullptr, false);
  const std::string ref = j.is_object() && j.contains("ref") && j["ref"].is_string() ? j["ref"].get<std::string>() : "";
  const auto out = Bytes32FromHex(ref);
  if (!out) return MakeError(ErrorCode::kMalformed, "the server sent an unexpected source reference");
  return *out;
}

int Run(const Options& o) {
  if (!IsValidForceCode(o.as)) return Fail("not a directory code: " + o.as);
  auto directory = VerifiedDirectory(o);
  if (!directory) return Fail("the signed directory: " + directory.error().message);
  if (auto st = CheckAttachments(o.attach); !st) return Fail(st.error().message);

  FieldCollector fields(ReportFormFields());
  const auto check_force = [&](std::string_view code) -> Status {
    if (directory->Find(code)) return Status::Ok();
    std::string codes;
    for (const auto& f : directory->forces()) codes += " " + f.code;
    return MakeError(ErrorCode::kNotFound, "not a force in the signed directory; one of:" + codes);
  };
  Status form = o.form.empty() ? AskForm(std::cin, stderr, check_force, fields)
                               : ReadFormFile(o.form, fields);
  if (!form) return Fail(form.error().message);
  if (fields.Get("force").empty()) return Fail("the form names no force (use NATIONAL if the caller does not know)");
  if (auto st = check_force(fields.Get("force")); !st) return Fail("\"" + std::string(fields.Get("force")) + "\" is " + st.error().message);
  auto found = directory->Find(fields.Get("force"));
  const ForceEntry& force = **found;

  auto pass = console::ReadPassphrase({"Passphrase for " + o.key, o.passphrase_file, false});
  if (!pass) return Fail(pass.error().message);
  auto key = ReadSecretKeyFile(o.key, *pass, KeyRole::kForceTransfer);
  if (!key) return Fail(key.error().message);
  auto client = transfer::ForceApiClient::Create(o.server, o.socks, o.as, &*key);
  if (!client) return Fail(client.error().message);

  // The caller's codename: made here; the server gets only its auth value.
  const SecretBuffer codename = GenerateCodename();
  auto secrets = StretchCodename(codename.view());
  if (!secrets) return Fail(secrets.error().message);
  auto ref = AskForSourceRef(*client, *secrets);
  if (!ref) return Fail("the server did not give a source reference: " + ref.error().message + " (nothing was sent)");

  auto metadata = ReportMetadataJson(fields, force.code, TodayUtc(), SourceRef{*ref, secrets->key_pair.public_key});
  if (!metadata) return Fail(metadata.error().message);
  SealedTempFile sealed;
  if (auto st = sealed.Open(); !st) return Fail(st.error().message);
  if (auto st = SealReport(force, *metadata, o.attach, sealed); !st) {
    return Fail("could not seal the report: " + st.error().message + " (nothing was sent)");
  }
  const BodyDigest digest = sealed.Digest();
  const std::string item_id = bundle::NewItemId();
  const std::string target = "/api/v1/intake/" + force.code + "/" + HexEncode(secrets->auth);
  Status sent = MakeError(ErrorCode::kIo, "not sent");
  // The same item id each time: a retry after a lost answer stores nothing twice.
  for (int attempt = 0; attempt < kUploadAttempts && !sent; ++attempt) {
    auto body = sealed.Rewind();
    if (!body) return Fail(body.error().message);
    auto up = client->Upload(target, *body, sealed.size(), digest, item_id, "");
    sent = up ? Status::Ok() : Status(up.error());
  }
  if (!sent) {
    return Fail("the report was not accepted: " + sent.error().message +
                ". Do not give the caller a codename; take the report again.");
  }
  std::printf("The report is sealed to %s and stored.\n"
              "Read the caller their codename, word by word, and have them read it back:\n\n"
              "    %.*s\n\n"
              "It is shown only once and kept nowhere. With it they can log in on the web\n"
              "service to read replies and send more.\n",
              force.name.c_str(), static_cast<int>(codename.view().size()), codename.view().data());
  return 0;
}

}  // namespace

int RunIntake(int argc, char** argv) {
  CLI::App app{"sealdrop-intake: take a report by phone, seal it on this machine, send only the "
               "sealed envelope"};
  app.name("sealdrop-intake");
  app.set_version_flag("--version", std::string("sealdrop-intake ") + kVersion);
  Options o;
  app.add_option("--server", o.server, "Force API URL, http://HOST[:PORT]")->required();
  app.add_option("--as", o.as, "Your organisation's directory code (its transfer key signs)")->required();
  app.add_option("--key", o.key, "That code's transfer secret key file")->required()->check(CLI::ExistingFile);
  app.add_option("--passphrase-file", o.passphrase_file, "Read the key's passphrase from this file");
  app.add_option("--directory", o.directory, "Signed force directory")->required()->check(CLI::ExistingFile);
  app.add_option("--root-pub", o.root_pub, "Pinned root public key")->required()->check(CLI::ExistingFile);
  app.add_option("--form", o.form, "A filled form file (JSON); without it the form is asked for")->check(CLI::ExistingFile);
  app.add_option("--attach", o.attach, "A file to attach (repeat for more)");
  app.add_option("--socks", o.socks, "SOCKS5 proxy HOST:PORT (Tor) for a .onion server");
  CLI11_PARSE(app, argc, argv);
  return Run(o);
}

}  // namespace sealdrop::intake
