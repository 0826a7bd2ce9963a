#include "journalist_console/core/case_files.h"

#include "common/io.h"
#include "common/json_depth.h"

namespace sealdrop::console {

Result<OpenedItem> ReadSealedItem(ByteSource& source, const KeyPair& key, const PartDataFn& on_data) {
  std::vector<KeyPair> keys;
  keys.push_back({key.public_key, SecretBuffer::CopyOf(key.secret.span())});
  auto reader = SealedEnvelopeReader::Open(source, keys);
  if (!reader) {
    if (reader.error().code == ErrorCode::kNoMatchingKey) {
      return MakeError(ErrorCode::kNoMatchingKey,
                       "this item was not sealed to this key (is it the right force's key?)");
    }
    return reader.error();
  }
  OpenedItem out;
  for (;;) {
    auto ev = reader->Next();
    if (!ev) return ev.error();
    using Kind = SealedEnvelopeReader::Event::Kind;
    if (ev->kind == Kind::kEnd) break;
    if (ev->kind == Kind::kPartBegin) {
      out.parts.push_back({ev->part, 0});
      continue;
    }
    out.parts.back().size += ev->data.size();
    if (on_data) {
      if (auto st = on_data(out.parts.size() - 1, ev->data); !st) return st.error();
    }
  }
  // The envelope reader has already checked the metadata is canonical JSON.
  const std::string_view text = reader->metadata();
  if (!JsonDepthWithin(text)) return MakeError(ErrorCode::kMalformed, "metadata nested too deeply");
  out.meta = nlohmann::json::parse(text, nullptr, false);
  if (!out.meta.is_object()) return MakeError(ErrorCode::kMalformed, "metadata is not an object");
  return out;
}

Result<OpenedItem> ReadSealedItem(const std::string& path, const KeyPair& key,
                                  const PartDataFn& on_data) {
  auto file = FileSource::Open(path);
  if (!file) return file.error();
  return ReadSealedItem(*file, key, on_data);
}

std::string TerminalSafe(std::string_view s, bool multiline) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const bool keep = c >= 0x20 ? c != 0x7f : (multiline && (c == '\n' || c == '\t'));
      out.push_back(keep ? static_cast<char>(c) : '?');
      ++i;
      continue;
    }
    std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool ok = len != 0 && i + len <= s.size();
    std::uint32_t cp = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    // C1 controls (U+0080–U+009F) drive some terminals too; overlongs and surrogates are refused.
    ok = ok && !(cp >= 0x80 && cp <= 0x9F) && !(len == 2 && cp < 0x80) &&
         !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
         !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0x202E && cp != 0x2066 && cp != 0x2067 &&
         cp != 0x2068 && cp != 0x202D;
    if (!ok) {
      out.push_back('?');
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

Result<std::string> ConsoleForce(ConsoleStore& store) {
  auto force = store.GetMeta("force");
  if (!force) return force.error();
  if (!*force) return MakeError(ErrorCode::kNotFound, "nothing imported yet: import a bundle first");
  return **force;
}

std::string JsonString(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

}  // namespace sealdrop::console
