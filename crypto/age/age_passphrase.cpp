#include "crypto/age/age_passphrase.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/sodium.h"

namespace sealdrop {
namespace {

constexpr std::string_view kVersionLine = "age-encryption.org/v1";
constexpr std::string_view kScryptLabel = "age-encryption.org/v1/scrypt";
constexpr std::size_t kFileKeyBytes = 16;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kKeyBytes = crypto_aead_chacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kTagBytes = crypto_aead_chacha20poly1305_ietf_ABYTES;
constexpr std::size_t kWrappedBytes = kFileKeyBytes + kTagBytes;
constexpr std::size_t kMacBytes = crypto_auth_hmacsha256_BYTES;
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;  // one scrypt stanza needs under 200
constexpr std::size_t kSealedChunkBytes = kAgeChunkBytes + kTagBytes;
static_assert(kKeyBytes == 32 && kTagBytes == 16 && kMacBytes == 32);

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string Base64(std::span<const std::uint8_t> bin) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bin.data(), bin.size(), kVariant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Exactly `want` bytes from canonical unpadded base64 (age rejects any other encoding).
bool FromBase64(std::string_view text, std::span<std::uint8_t> out) {
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
      end != text.data() + text.size() || len != out.size()) {
    return false;
  }
  return Base64(out) == text;  // unused low bits must be zero
}

// HMAC-SHA256 over `parts`, keyed with `key` (any length, empty included).
void HmacSha256(std::span<const std::uint8_t> key,
                std::initializer_list<std::span<const std::uint8_t>> parts,
                std::span<std::uint8_t, kMacBytes> out) {
  crypto_auth_hmacsha256_state st;
  static const std::uint8_t kNoKey = 0;
  crypto_auth_hmacsha256_init(&st, key.empty() ? &kNoKey : key.data(), key.size());
  for (const auto& p : parts) crypto_auth_hmacsha256_update(&st, p.data(), p.size());
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
}

// HKDF-SHA256 (RFC 5869) with one block of output: all age needs.
SecretBuffer Hkdf(std::span<const std::uint8_t> ikm, std::span<const std::uint8_t> salt,
                  std::string_view info) {
  SecretBuffer prk(kMacBytes);
  HmacSha256(salt, {ikm}, std::span<std::uint8_t, kMacBytes>(prk.data(), kMacBytes));
  SecretBuffer okm(kMacBytes);
  const std::uint8_t one = 1;
  HmacSha256(prk.span(), {Bytes(info), std::span(&one, 1)},
             std::span<std::uint8_t, kMacBytes>(okm.data(), kMacBytes));
  return okm;
}

Result<SecretBuffer> ScryptKey(const SecretBuffer& passphrase, std::span<const std::uint8_t> salt,
                               unsigned log2_work) {
  std::vector<std::uint8_t> full(kScryptLabel.begin(), kScryptLabel.end());
  full.insert(full.end(), salt.begin(), salt.end());
  SecretBuffer key(kKeyBytes);
  if (crypto_pwhash_scryptsalsa208sha256_ll(passphrase.data(), passphrase.size(), full.data(),
                                            full.size(), std::uint64_t{1} << log2_work, 8, 1,
                                            key.data(), key.size()) != 0) {
    return MakeError(ErrorCode::kIo, "scrypt could not run (out of memory?)");
  }
  return key;
}

void ChunkNonce(std::uint64_t counter, bool last, std::uint8_t (&nonce)[12]) {
  std::memset(nonce, 0, sizeof nonce);
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  nonce[11] = last ? 1 : 0;
}

}  // namespace

Result<AgePassphraseWriter> AgePassphraseWriter::Create(const SecretBuffer& passphrase,
                                                        ByteSink& out, unsigned log2_work,
                                                        const AgeFixedRandom* fixed) {
  EnsureSodium();
  if (passphrase.empty()) return MakeError(ErrorCode::kInvalidArgument, "empty passphrase");
  if (log2_work < 1 || log2_work > kAgeMaxLog2Work) {
    return MakeError(ErrorCode::kInvalidArgument, "scrypt work factor out of range");
  }
  SecretBuffer file_key(kFileKeyBytes);
  std::array<std::uint8_t, kSaltBytes> salt{};
  std::array<std::uint8_t, kNonceBytes> nonce{};
  if (fixed) {
    std::memcpy(file_key.data(), fixed->file_key.data(), kFileKeyBytes);
    salt = fixed->salt;
    nonce = fixed->nonce;
  } else {
    randombytes_buf(file_key.data(), file_key.size());
    randombytes_buf(salt.data(), salt.size());
    randombytes_buf(nonce.data(), nonce.size());
  }
  auto wrap_key = ScryptKey(passphrase, salt, log2_work);
  if (!wrap_key) return wrap_key.error();
  std::array<std::uint8_t, kWrappedBytes> wrapped{};
  const std::uint8_t zero_nonce[12] = {};
  crypto_aead_chacha20poly1305_ietf_encrypt(wrapped.data(), nullptr, file_key.data(),
                                            file_key.size(), nullptr, 0, nullptr, zero_nonce,
                                            wrap_key->data());
  std::string header = std::string(kVersionLine) + "\n-> scrypt " + Base64(salt) + " " +
                       std::to_string(log2_work) + "\n" + Base64(wrapped) + "\n---";
  const SecretBuffer mac_key = Hkdf(file_key.span(), {}, "header");
  std::array<std::uint8_t, kMacBytes> mac{};
  HmacSha256(mac_key.span(), {Bytes(header)}, mac);
  header += " " + Base64(mac) + "\n";
  if (auto st = out.Write(Bytes(header)); !st) return st.error();
  if (auto st = out.Write(nonce); !st) return st.error();
  return AgePassphraseWriter(out, Hkdf(file_key.span(), nonce, "payload"));
}

Status AgePassphraseWriter::SealChunk(bool last) {
  std::uint8_t nonce[12];
  ChunkNonce(counter_, last, nonce);
  std::vector<std::uint8_t> sealed(filled_ + kTagBytes);
  crypto_aead_chacha20poly1305_ietf_encrypt(sealed.data(), nullptr, chunk_.data(), filled_, nullptr,
                                            0, nullptr, nonce, key_.data());
  sodium_memzero(chunk_.data(), filled_);
  filled_ = 0;
  ++counter_;
  return out_->Write(sealed);
}

Status AgePassphraseWriter::Write(std::span<const std::uint8_t> bytes) {
  if (finished_) Die("AgePassphraseWriter::Write after Finish");
  while (!bytes.empty()) {
    // A full chunk is sealed only once more data follows: the last chunk carries the flag.
    if (filled_ == kAgeChunkBytes) {
      if (auto st = SealChunk(false); !st) return st;
    }
    const std::size_t n = std::min(bytes.size(), kAgeChunkBytes - filled_);
    std::memcpy(chunk_.data() + filled_, bytes.data(), n);
    filled_ += n;
    bytes = bytes.subspan(n);
  }
  return Status::Ok();
}

Status AgePassphraseWriter::Finish() {
  if (finished_) Die("AgePassphraseWriter::Finish twice");
  finished_ = true;
  return SealChunk(true);
}

// ---------------------------------------------------------------------------------------------

namespace {

// The header's lines, read a byte at a time (it is small) so that the payload starts exactly
// after it in `in`.
class HeaderReader {
 public:
  explicit HeaderReader(ByteSource& in) : in_(in) {}
  // One line without its '\n'; kMalformed past the header cap, kTruncated at the end.
  Result<std::string> Line() {
    std::string line;
    for (;;) {
      std::uint8_t c = 0;
      auto n = in_.Read(std::span(&c, 1));
      if (!n) return n.error();
      if (*n == 0) return MakeError(ErrorCode::kTruncated, "the age header is cut short");
      if (++read_ > kMaxHeaderBytes)
        return MakeError(ErrorCode::kMalformed, "the age header is too long");
      if (c == '\n') break;
      line.push_back(static_cast<char>(c));
    }
    text_ += line;
    text_ += '\n';
    return line;
  }
  std::string& text() { return text_; }

 private:
  ByteSource& in_;
  std::size_t read_ = 0;
  std::string text_;  // everything read so far, for the MAC
};

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t sp = line.find(' ', start);
    out.push_back(line.substr(start, sp - start));
    if (sp == std::string_view::npos) return out;
    start = sp + 1;
  }
}

Error Malformed(const char* what) {
  return MakeError(ErrorCode::kMalformed, std::string("not a valid age file: ") + what);
}

}  // namespace

Status OpenAgePassphrase(ByteSource& in, const SecretBuffer& passphrase, ByteSink& out,
                         unsigned max_log2_work) {
  EnsureSodium();
  HeaderReader header(in);
  auto first = header.Line();
  if (!first)
    return first.error().code == ErrorCode::kMalformed
               ? MakeError(ErrorCode::kBadMagic, "not an age file")
               : first.error();
  if (*first != kVersionLine) return MakeError(ErrorCode::kBadMagic, "not an age v1 file");
  auto stanza = header.Line();
  if (!stanza) return stanza.error();
  const auto args = Fields(*stanza);
  if (args.size() < 2 || args[0] != "->") return Malformed("no recipient stanza");
  if (args[1] != "scrypt")
    return MakeError(ErrorCode::kNoMatchingKey, "the age file is not sealed with a passphrase");
  if (args.size() != 4) return Malformed("bad scrypt stanza");
  std::array<std::uint8_t, kSaltBytes> salt{};
  if (!FromBase64(args[2], salt)) return Malformed("bad scrypt salt");
  const std::string_view work = args[3];
  if (work.empty() || work.size() > 2 ||
      work.find_first_not_of("0123456789") != std::string_view::npos || work[0] == '0') {
    return Malformed("bad scrypt work factor");
  }
  const unsigned log2_work = static_cast<unsigned>(std::stoul(std::string(work)));
  auto body = header.Line();
  if (!body) return body.error();
  std::array<std::uint8_t, kWrappedBytes> wrapped{};
  if (!FromBase64(*body, wrapped)) return Malformed("bad scrypt stanza body");
  auto mac_line = header.Line();
  if (!mac_line) return mac_line.error();
  // The scrypt stanza must be the only one: the next line is the MAC line.
  if (mac_line->rfind("-> ", 0) == 0) return Malformed("a scrypt stanza must be alone");
  if (mac_line->rfind("--- ", 0) != 0) return Malformed("no header MAC");
  std::array<std::uint8_t, kMacBytes> mac{};
  if (!FromBase64(std::string_view(*mac_line).substr(4), mac))
    return Malformed("bad header MAC encoding");
  if (log2_work > max_log2_work)
    return MakeError(ErrorCode::kLimitExceeded, "the age file's scrypt work factor is too high");

  auto wrap_key = ScryptKey(passphrase, salt, log2_work);
  if (!wrap_key) return wrap_key.error();
  SecretBuffer file_key(kFileKeyBytes);
  const std::uint8_t zero_nonce[12] = {};
  if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key.data(), nullptr, nullptr, wrapped.data(),
                                                wrapped.size(), nullptr, 0, zero_nonce,
                                                wrap_key->data()) != 0) {
    return MakeError(ErrorCode::kWrongPassphrase, "wrong passphrase");
  }
  std::string& text = header.text();
  text.resize(text.size() - mac_line->size() - 1 + 3);  // up to and including "---"
  const SecretBuffer mac_key = Hkdf(file_key.span(), {}, "header");
  std::array<std::uint8_t, kMacBytes> expected{};
  HmacSha256(mac_key.span(), {Bytes(text)}, expected);
  if (sodium_memcmp(expected.data(), mac.data(), kMacBytes) != 0) {
    return MakeError(ErrorCode::kHeaderMacMismatch, "the age header was altered");
  }

  std::array<std::uint8_t, kNonceBytes> nonce{};
  auto got = ReadFull(in, nonce);
  if (!got) return got.error();
  if (*got != nonce.size()) return MakeError(ErrorCode::kTruncated, "the age file is cut short");
  const SecretBuffer key = Hkdf(file_key.span(), nonce, "payload");
  // One sealed chunk plus one byte of look-ahead tells whether this chunk must be the last.
  std::vector<std::uint8_t> sealed(kSealedChunkBytes + 1);
  SecretBuffer plain(kAgeChunkBytes);
  std::size_t have = 0;
  for (std::uint64_t counter = 0;; ++counter) {
    auto n = ReadFull(in, std::span(sealed).subspan(have));
    if (!n) return n.error();
    have += *n;
    const bool last = have <= kSealedChunkBytes;
    const std::size_t size = std::min(have, kSealedChunkBytes);
    if (size < kTagBytes) return MakeError(ErrorCode::kTruncated, "the age file is cut short");
    std::uint8_t chunk_nonce[12];
    ChunkNonce(counter, last, chunk_nonce);
    if (crypto_aead_chacha20poly1305_ietf_decrypt(plain.data(), nullptr, nullptr, sealed.data(),
                                                  size, nullptr, 0, chunk_nonce, key.data()) != 0) {
      // A full chunk that opens as a middle one, at the end of the file: the rest was cut off.
      ChunkNonce(counter, false, chunk_nonce);
      const bool cut =
          last && size == kSealedChunkBytes &&
          crypto_aead_chacha20poly1305_ietf_decrypt(plain.data(), nullptr, nullptr, sealed.data(),
                                                    size, nullptr, 0, chunk_nonce, key.data()) == 0;
      sodium_memzero(plain.data(), plain.size());
      return cut ? MakeError(ErrorCode::kTruncated, "the age file is cut short")
                 : MakeError(ErrorCode::kPayloadCorrupt, "the age payload is damaged");
    }
    const std::size_t plain_size = size - kTagBytes;
    if (last && plain_size == 0 && counter > 0)
      return Malformed("an empty last chunk after others");
    if (auto st = out.Write(std::span<const std::uint8_t>(plain.data(), plain_size)); !st)
      return st;
    if (last) return Status::Ok();
    // Keep the look-ahead byte as the start of the next chunk.
    sealed[0] = sealed[kSealedChunkBytes];
    have = 1;
  }
}

}  // namespace sealdrop
