#include "journalist_console/core/zip_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <string_view>

namespace sealdrop::console {

struct ZipWriter::State {
  archive* a = nullptr;
  ByteSink* out = nullptr;
  std::time_t modified = 0;
  Status sink_status;  // the sink's own error: libarchive only sees -1
  bool finished = false;
  ~State() {
    if (a) archive_write_free(a);  // closes it first when still open
  }
  Error Failed(const char* what) const {
    if (!sink_status.ok()) return sink_status.error();
    const char* why = a ? archive_error_string(a) : nullptr;
    return MakeError(ErrorCode::kIo,
                     std::string(what) + (why ? std::string(": ") + why : std::string()));
  }
};

ZipWriter::ZipWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
ZipWriter::ZipWriter(ZipWriter&&) noexcept = default;
ZipWriter::~ZipWriter() = default;

Result<ZipWriter> ZipWriter::Open(ByteSink& out, std::time_t modified) {
  auto s = std::make_unique<State>();
  s->out = &out;
  s->modified = modified;
  s->a = archive_write_new();
  if (!s->a) return MakeError(ErrorCode::kIo, "libarchive could not start");
  const auto write = [](archive*, void* client, const void* buffer, size_t length) -> la_ssize_t {
    auto* st = static_cast<State*>(client);
    if (!st->sink_status.ok()) return -1;
    st->sink_status = st->out->Write(std::span(static_cast<const std::uint8_t*>(buffer), length));
    return st->sink_status.ok() ? static_cast<la_ssize_t>(length) : -1;
  };
  // Unblocked output: libarchive pads nothing and hands every write straight to the sink.
  if (archive_write_set_format_zip(s->a) != ARCHIVE_OK ||
      archive_write_zip_set_compression_deflate(s->a) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(s->a, 0) != ARCHIVE_OK ||
      archive_write_open2(s->a, s.get(), nullptr, write, nullptr, nullptr) != ARCHIVE_OK) {
    return s->Failed("cannot start the ZIP archive");
  }
  return ZipWriter(std::move(s));
}

Status ZipWriter::Add(const std::string& name, std::span<const std::uint8_t> bytes) {
  if (state_->finished) Die("ZipWriter::Add after Finish");
  const bool safe = !name.empty() && name.front() != '/' && name.find("..") == std::string::npos &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '/';
                    });
  if (!safe) return MakeError(ErrorCode::kInvalidArgument, "unsafe name for a file in the archive");
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> entry(archive_entry_new(),
                                                                 archive_entry_free);
  if (!entry) return MakeError(ErrorCode::kIo, "libarchive could not make an entry");
  archive_entry_set_pathname(entry.get(), name.c_str());
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(bytes.size()));
  archive_entry_set_mtime(entry.get(), state_->modified, 0);
  if (archive_write_header(state_->a, entry.get()) != ARCHIVE_OK)
    return state_->Failed("cannot add to the ZIP archive");
  while (!bytes.empty()) {
    const la_ssize_t n = archive_write_data(state_->a, bytes.data(), bytes.size());
    if (n <= 0) return state_->Failed("cannot write the ZIP archive");
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  if (archive_write_finish_entry(state_->a) != ARCHIVE_OK)
    return state_->Failed("cannot write the ZIP archive");
  return Status::Ok();
}

Status ZipWriter::Finish() {
  if (state_->finished) Die("ZipWriter::Finish twice");
  state_->finished = true;
  if (archive_write_close(state_->a) != ARCHIVE_OK)
    return state_->Failed("cannot finish the ZIP archive");
  return Status::Ok();
}

}  // namespace sealdrop::console
