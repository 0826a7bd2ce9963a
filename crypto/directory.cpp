#include "crypto/directory.h"

#include <nlohmann/json.hpp>

#include "common/io.h"
#include "common/json_depth.h"

#include <set>

namespace sealdrop {
namespace {

constexpr std::string_view kFirstLine = "sealdrop-directory v1";
constexpr std::string_view kFirstLinePrefix = "sealdrop-directory ";
constexpr std::string_view kRootPrefix = "root ";
constexpr std::string_view kSignaturePrefix = "signature ";
constexpr std::string_view kSignatureDomain = "SealDrop force directory v1";
constexpr std::size_t kMaxDirectoryBytes = 1 << 20;
constexpr std::size_t kMaxForces = 256;

using nlohmann::json;

Error Malformed(const std::string& what) {
  return MakeError(ErrorCode::kMalformed, "force directory: " + what);
}


// Cuts the next '\n'-terminated line off `text`.
std::optional<std::string_view> TakeLine(std::string_view& text) {
  const auto nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  const auto line = text.substr(0, nl);
  text.remove_prefix(nl + 1);
  return line;
}

const json* Field(const json& obj, const char* name, json::value_t type) {
  const auto it = obj.find(name);
  if (it == obj.end()) return nullptr;
  if (it->type() != type) {
    // Integers may be stored unsigned by the parser.
    if (type == json::value_t::number_integer && it->is_number_unsigned()) return &*it;
    return nullptr;
  }
  return &*it;
}

struct Body {
  long long serial = 0;
  std::string issued;
  std::string expires;
  std::vector<ForceEntry> forces;
};

Result<Body> ParseBody(const json& doc) {
  if (!doc.is_object()) return Malformed("body is not a JSON object");
  const std::set<std::string> allowed = {"version", "serial", "issued", "expires", "forces"};
  for (const auto& [key, _] : doc.items()) {
    if (!allowed.count(key)) return Malformed("unknown field '" + key + "'");
  }
  const json* version = Field(doc, "version", json::value_t::number_integer);
  if (!version || version->get<long long>() != 1) return Malformed("version must be 1");
  const json* serial = Field(doc, "serial", json::value_t::number_integer);
  if (!serial || serial->get<long long>() < 1) return Malformed("serial must be a positive integer");
  const json* issued = Field(doc, "issued", json::value_t::string);
  const json* expires = Field(doc, "expires", json::value_t::string);
  if (!issued || !IsValidDay(issued->get<std::string>())) return Malformed("bad 'issued' day");
  if (!expires || !IsValidDay(expires->get<std::string>())) return Malformed("bad 'expires' day");
  Body body;
  body.serial = serial->get<long long>();
  body.issued = issued->get<std::string>();
  body.expires = expires->get<std::string>();
  if (body.expires < body.issued) return Malformed("'expires' is before 'issued'");

  const json* forces = Field(doc, "forces", json::value_t::array);
  if (!forces || forces->empty() || forces->size() > kMaxForces) {
    return Malformed("'forces' must be a list of 1 to 256 forces");
  }
  std::set<std::string> codes;
  for (const auto& f : *forces) {
    if (!f.is_object()) return Malformed("a force entry is not an object");
    const std::set<std::string> force_fields = {"code",        "name",       "decryption_keys",
                                                "transfer_key", "valid_from", "valid_until"};
    for (const auto& [key, _] : f.items()) {
      if (!force_fields.count(key)) return Malformed("unknown force field '" + key + "'");
    }
    ForceEntry e{{}, {}, {}, PublicKey{KeyRole::kForceTransfer, {}}, {}, {}};
    const json* code = Field(f, "code", json::value_t::string);
    if (!code || !IsValidForceCode(code->get<std::string>())) return Malformed("bad force code");
    e.code = code->get<std::string>();
    const std::string where = "force " + e.code + ": ";
    if (!codes.insert(e.code).second) return Malformed(where + "listed twice");
    const json* name = Field(f, "name", json::value_t::string);
    if (!name || name->get<std::string>().empty() || name->get<std::string>().size() > 200) {
      return Malformed(where + "bad name");
    }
    e.name = name->get<std::string>();
    const json* keys = Field(f, "decryption_keys", json::value_t::array);
    if (!keys || keys->empty() || keys->size() > 16) {
      return Malformed(where + "needs 1 to 16 decryption keys");
    }
    for (const auto& k : *keys) {
      if (!k.is_string()) return Malformed(where + "a decryption key is not text");
      auto pk = PublicKey::FromText(k.get<std::string>(), KeyRole::kForceDecryption);
      if (!pk) return Malformed(where + pk.error().message);
      if (pk->ToText() != k.get<std::string>()) return Malformed(where + "key text not canonical");
      for (const auto& seen : e.decryption_keys) {
        if (seen == *pk) return Malformed(where + "a decryption key is listed twice");
      }
      e.decryption_keys.push_back(*pk);
    }
    const json* transfer = Field(f, "transfer_key", json::value_t::string);
    if (!transfer) return Malformed(where + "missing transfer key");
    auto tk = PublicKey::FromText(transfer->get<std::string>(), KeyRole::kForceTransfer);
    if (!tk) return Malformed(where + tk.error().message);
    if (tk->ToText() != transfer->get<std::string>()) {
      return Malformed(where + "key text not canonical");
    }
    e.transfer_key = *tk;
    const json* from = Field(f, "valid_from", json::value_t::string);
    const json* until = Field(f, "valid_until", json::value_t::string);
    if (!from || !IsValidDay(from->get<std::string>()) || !until ||
        !IsValidDay(until->get<std::string>())) {
      return Malformed(where + "bad validity days");
    }
    e.valid_from = from->get<std::string>();
    e.valid_until = until->get<std::string>();
    if (e.valid_until < e.valid_from) return Malformed(where + "valid_until before valid_from");
    body.forces.push_back(std::move(e));
  }
  return body;
}

std::string Canonical(const json& doc) { return doc.dump(2) + "\n"; }

}  // namespace

Result<ForceDirectory> ForceDirectory::Load(const std::string& path, const PublicKey& pinned_root,
                                            std::string_view today, Expiry expiry) {
  auto text = ReadSmallFile(path, kMaxDirectoryBytes);
  if (!text) return text.error();
  return Verify(*text, pinned_root, today, expiry);
}

Result<ForceDirectory> ForceDirectory::Verify(std::string_view text, const PublicKey& pinned_root,
                                              std::string_view today, Expiry expiry) {
  if (pinned_root.role != KeyRole::kRoot) {
    return MakeError(ErrorCode::kInvalidArgument, "the pinned key is not a root key");
  }
  if (text.size() > kMaxDirectoryBytes) return Malformed("file too large");
  auto first = TakeLine(text);
  if (!first || first->substr(0, kFirstLinePrefix.size()) != kFirstLinePrefix) {
    return MakeError(ErrorCode::kBadMagic, "not a signed SealDrop force directory");
  }
  if (*first != kFirstLine) {
    return MakeError(ErrorCode::kUnsupportedVersion, "unsupported force directory version");
  }
  auto root_line = TakeLine(text);
  auto sig_line = TakeLine(text);
  auto blank = TakeLine(text);
  if (!root_line || !sig_line || !blank ||
      root_line->substr(0, kRootPrefix.size()) != kRootPrefix ||
      sig_line->substr(0, kSignaturePrefix.size()) != kSignaturePrefix || !blank->empty()) {
    return MakeError(ErrorCode::kBadSignature, "force directory is not signed");
  }
  auto signer = PublicKey::FromText(root_line->substr(kRootPrefix.size()), KeyRole::kRoot);
  if (!signer || signer->ToText() != root_line->substr(kRootPrefix.size())) {
    return MakeError(ErrorCode::kBadSignature, "force directory: bad root key line");
  }
  if (!(*signer == pinned_root)) {
    return MakeError(ErrorCode::kBadSignature,
                     "force directory is signed by a different root key (fingerprint " +
                         signer->Fingerprint() + ", pinned " + pinned_root.Fingerprint() + ")");
  }
  const auto sig_bytes = Base64Decode(sig_line->substr(kSignaturePrefix.size()));
  if (!sig_bytes || sig_bytes->size() != kSignatureBytes) {
    return MakeError(ErrorCode::kBadSignature, "force directory: bad signature encoding");
  }
  Signature sig{};
  std::copy(sig_bytes->begin(), sig_bytes->end(), reinterpret_cast<char*>(sig.data()));
  if (!VerifyDetached(pinned_root, kSignatureDomain, AsBytes(text), sig)) {
    return MakeError(ErrorCode::kBadSignature,
                     "force directory signature does not verify: the file was altered");
  }
  if (!JsonDepthWithin(text)) return Malformed("body is nested too deeply");
  const auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Malformed("body is not JSON");
  if (Canonical(doc) != text) return Malformed("body is not in canonical form");
  auto body = ParseBody(doc);
  if (!body) return body.error();
  if (!IsValidDay(today)) Die("ForceDirectory::Verify: bad today");
  if (body->issued > today) {
    return MakeError(ErrorCode::kExpired, "force directory is not valid yet (issued " +
                                              body->issued + "); check the clock");
  }
  if (body->expires < today && expiry == Expiry::kRefuse) {
    return MakeError(ErrorCode::kExpired, "force directory expired on " + body->expires +
                                              "; fetch a newer signed directory");
  }
  ForceDirectory dir;
  dir.forces_ = std::move(body->forces);
  dir.serial_ = body->serial;
  dir.issued_ = std::move(body->issued);
  dir.expires_ = std::move(body->expires);
  dir.today_ = std::string(today);
  return dir;
}

Result<std::string> ForceDirectory::Sign(std::string_view body_json, const KeyPair& root,
                                         std::string_view today) {
  if (root.public_key.role != KeyRole::kRoot) {
    return MakeError(ErrorCode::kInvalidArgument, "signing needs the national root key");
  }
  if (body_json.size() > kMaxDirectoryBytes) return Malformed("file too large");
  if (!IsValidDay(today)) Die("ForceDirectory::Sign: bad today");
  if (!JsonDepthWithin(body_json)) return Malformed("input is nested too deeply");
  const auto doc = json::parse(body_json, nullptr, false);
  if (doc.is_discarded()) return Malformed("input is not valid JSON");
  auto body = ParseBody(doc);
  if (!body) return body.error();
  if (body->expires < today) {
    return MakeError(ErrorCode::kExpired, "refusing to sign a directory that has already expired");
  }
  const std::string canonical = Canonical(doc);
  const Signature sig = SignDetached(root, kSignatureDomain, AsBytes(canonical));
  std::string out(kFirstLine);
  out += "\n";
  out += kRootPrefix;
  out += root.public_key.ToText();
  out += "\n";
  out += kSignaturePrefix;
  out += Base64Encode(sig);
  out += "\n\n";
  out += canonical;
  if (out.size() > kMaxDirectoryBytes) return Malformed("signed directory would exceed 1 MiB");
  return out;
}

Result<const ForceEntry*> ForceDirectory::Find(std::string_view code) const {
  for (const auto& f : forces_) {
    if (f.code != code) continue;
    if (today_ < f.valid_from || today_ > f.valid_until) {
      return MakeError(ErrorCode::kExpired, "force " + f.code + " has no keys valid today");
    }
    return &f;
  }
  return MakeError(ErrorCode::kNotFound, "unknown force code '" + std::string(code) + "'");
}

}  // namespace sealdrop
