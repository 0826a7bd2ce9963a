#include "journalist_console/core/attachment_export.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace sealdrop::console {
namespace {

// Counts what reaches the caller's sink.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(ByteSink& out) : out_(out) {}
  Status Write(std::span<const std::uint8_t> bytes) override {
    if (auto st = out_.Write(bytes); !st) return st;
    count_ += bytes.size();
    return Status::Ok();
  }
  std::uint64_t count() const { return count_; }

 private:
  ByteSink& out_;
  std::uint64_t count_ = 0;
};

bool IsAsciiAlnum(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

// The sender's extension, lower-cased, when it is 1-8 ASCII letters or digits; "" otherwise.
std::string SenderExtension(std::string_view name) {
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  const std::string_view ext = name.substr(dot + 1);
  if (ext.empty() || ext.size() > 8 || !std::all_of(ext.begin(), ext.end(), IsAsciiAlnum))
    return "";
  std::string out(ext);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

bool Rebuilt(const AttachmentExport& e) {
  return e.mode == ExportMode::kSafeCopy &&
         (e.report.kind == SafeCopyKind::kPicture || e.report.kind == SafeCopyKind::kPdf);
}

}  // namespace

Result<std::size_t> PartSource::Read(std::span<std::uint8_t> out) {
  while (pending_.empty()) {
    if (ended_) return std::size_t{0};
    auto ev = reader_.Next();
    if (!ev) return ev.error();
    using Kind = SealedEnvelopeReader::Event::Kind;
    if (ev->kind == Kind::kEnd) {
      ended_ = true;
      reached_end_ = true;
      if (seen_ <= index_) return MakeError(ErrorCode::kNotFound, "no such attachment");
      return std::size_t{0};
    }
    if (ev->kind == Kind::kPartBegin) {
      ++seen_;
      if (seen_ == index_ + 2) {
        ended_ = true;
        return std::size_t{0};
      }
      if (seen_ == index_ + 1) info_ = ev->part;
      continue;
    }
    if (seen_ == index_ + 1) pending_ = ev->data;
  }
  const std::size_t n = std::min(out.size(), pending_.size());
  std::copy_n(pending_.begin(), n, out.begin());
  pending_ = pending_.subspan(n);
  return n;
}

Result<AttachmentExport> ExportAttachment(ConsoleStore& store, const OfficerSession& by,
                                          const CaseRow& c, std::size_t number, ExportMode mode,
                                          ByteSink& out, const SafeCopyLimits& limits) {
  if (number == 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "attachments are numbered from 1, as `show` lists them");
  }
  const auto no_such = [&] {
    return MakeError(ErrorCode::kNotFound,
                     "case " + c.id.substr(0, 8) + " has no attachment " + std::to_string(number));
  };
  auto file = FileSource::Open(store.SealedPath(c.id));
  // Never kNotFound here: that code means "no such attachment" to the faces.
  if (!file)
    return MakeError(ErrorCode::kIo, "the sealed file of case " + c.id.substr(0, 8) +
                                         " cannot be read: " + file.error().message);
  std::vector<KeyPair> keys;
  keys.push_back({by.key().public_key, SecretBuffer::CopyOf(by.key().secret.span())});
  auto reader = SealedEnvelopeReader::Open(*file, keys);
  if (!reader) return reader.error();
  PartSource part(*reader, number - 1);
  CountingSink counted(out);
  std::optional<SafeCopier> copier;
  if (mode == ExportMode::kOriginal) {
    // The original goes straight to `out`: the caller holds it uncommitted until we return.
    std::vector<std::uint8_t> buf(1 << 16);
    for (;;) {
      auto n = part.Read(buf);
      if (!n) return n.error().code == ErrorCode::kNotFound ? no_such() : n.error();
      if (*n == 0) break;
      if (auto st = counted.Write(std::span(buf.data(), *n)); !st) return st.error();
    }
  } else {
    auto made = SafeCopier::Create(limits);
    if (!made)
      return MakeError(made.error().code, "cannot make a safe copy: " + made.error().message);
    copier.emplace(std::move(*made));
    if (auto st = copier->ReadInput(part); !st) {
      if (st.error().code == ErrorCode::kNotFound) return no_such();
      if (st.error().code == ErrorCode::kLimitExceeded) {
        return MakeError(ErrorCode::kLimitExceeded,
                         "cannot make a safe copy: " + st.error().message);
      }
      return st.error();  // the envelope failed to verify, or the working file failed
    }
  }
  // The rest of the envelope must verify before anything is converted or named.
  while (!part.reached_end()) {
    auto ev = reader->Next();
    if (!ev) return ev.error();
    if (ev->kind == SealedEnvelopeReader::Event::Kind::kEnd) break;
  }
  AttachmentExport done;
  done.mode = mode;
  done.name = part.info().name;
  done.content_type = part.info().content_type;
  if (copier) {
    auto report = copier->WriteSafeCopy(done.name, counted);
    if (!report)
      return MakeError(report.error().code, "cannot make a safe copy: " + report.error().message);
    done.report = std::move(*report);
  }
  done.bytes = counted.count();
  const std::string what = mode == ExportMode::kOriginal ? " original" : " safe copy";
  if (auto st =
          store.Audit(by.name(), "export", c.id, "attachment " + std::to_string(number) + what);
      !st) {
    return st.error();
  }
  return done;
}

std::string ExportFileName(std::string_view case_id, std::size_t number,
                           const AttachmentExport& e) {
  std::string id;
  for (const char ch : case_id.substr(0, 8)) {
    if (IsAsciiAlnum(ch)) id.push_back(ch);
  }
  std::string ext;
  if (Rebuilt(e)) {
    ext = e.report.kind == SafeCopyKind::kPdf ? "pdf"
          : e.report.output_type == "JPEG"    ? "jpg"
                                              : "png";
  } else {
    ext = SenderExtension(e.name);
    if (ext.empty()) ext = "bin";
  }
  // At most 5 + 8 + 12 + 20 digits + 1 + 8 = 54 characters.
  return "case-" + (id.empty() ? std::string("item") : id) + "-attachment-" +
         std::to_string(number) + "." + ext;
}

std::string ExportContentType(const AttachmentExport& e) {
  if (!Rebuilt(e)) return "application/octet-stream";
  if (e.report.kind == SafeCopyKind::kPdf) return "application/pdf";
  return e.report.output_type == "JPEG" ? "image/jpeg" : "image/png";
}

}  // namespace sealdrop::console
