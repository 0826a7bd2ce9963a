#include "journalist_console/sanitize/safe_copy.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "journalist_console/sanitize/metadata_strip.h"
#include "journalist_console/sanitize/pixel_headers.h"
#include "journalist_console/sanitize/safe_pdf.h"
#include "journalist_console/sanitize/sandbox.h"

namespace sealdrop::console {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::string_view_literals;

constexpr std::size_t kSniffBytes = 1024;  // "%PDF" may follow junk, as readers allow
constexpr std::size_t kCopyChunk = 1 << 20;

std::string Millions(std::uint64_t pixels) {
  const std::uint64_t tenths = (pixels + 50'000) / 100'000;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " million";
}

struct PictureTools {
  ImageFormat format;
  const char* type;       // the input's name for the officer
  const char* extension;  // the decoder is shown /in/input.<extension>
  std::vector<std::string> decoder;
  bool stays_jpeg;
};

std::optional<PictureTools> PictureOf(std::string_view head) {
  const auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (starts("\xFF\xD8\xFF"sv)) {
    return PictureTools{ImageFormat::kJpeg, "JPEG", "jpg", {"/usr/bin/jpegtopnm"}, true};
  }
  if (starts("\x89PNG\r\n\x1a\n"sv)) {
    // Transparent parts are put on white, as a viewer shows them.
    return PictureTools{ImageFormat::kPng, "PNG", "png",
                        {"/usr/bin/pngtopnm", "-mix", "-background=white"}, false};
  }
  if (starts("GIF87a") || starts("GIF89a")) {
    return PictureTools{ImageFormat::kGif, "GIF", "gif", {"/usr/bin/giftopnm"}, false};
  }
  if (starts("II*\0"sv) || starts("MM\0*"sv)) {
    return PictureTools{ImageFormat::kTiff, "TIFF", "tif", {"/usr/bin/tifftopnm"}, false};
  }
  // "BM" alone is too weak (a text file may start so): the info header size must be a real one.
  if (starts("BM") && head.size() >= 18) {
    const auto info = static_cast<std::uint8_t>(head[14]);
    if ((info == 12 || info == 40 || info == 52 || info == 56 || info == 108 || info == 124) &&
        head[15] == 0 && head[16] == 0 && head[17] == 0) {
      return PictureTools{ImageFormat::kBmp, "BMP", "bmp", {"/usr/bin/bmptopnm"}, false};
    }
  }
  return std::nullopt;
}

// pamflip transforms (applied in order) that show EXIF orientation 1..8 upright (TIFF 6.0 /
// EXIF 2.32 tag 0x0112).
constexpr const char* kUpright[9] = {"",
                                     "",
                                     "leftright",
                                     "leftright,topbottom",
                                     "topbottom",
                                     "transpose",
                                     "transpose,leftright",
                                     "transpose,leftright,topbottom",
                                     "transpose,topbottom"};

bool IsPdf(std::string_view head) { return head.find("%PDF-") != std::string_view::npos; }

// mat2 picks its parser from the extension; the sender's name is only a hint, and mat2 refuses a
// file that does not parse as that format. Types recognised by their bytes never get here.
std::string ExtensionFor(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || name.size() - dot - 1 > 5) return {};
  std::string ext;
  for (char c : name.substr(dot + 1)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return {};
    ext.push_back(c);
  }
  static constexpr std::string_view kByBytes[] = {"pdf", "jpg", "jpeg", "jpe", "jfif", "png",
                                                  "gif", "tif", "tiff", "bmp", "ppm"};
  if (std::find(std::begin(kByBytes), std::end(kByBytes), ext) != std::end(kByBytes)) return {};
  return ext;
}

class NullSink final : public ByteSink {
 public:
  Status Write(std::span<const std::uint8_t>) override { return Status::Ok(); }
};

Error Io(const std::string& what) { return MakeError(ErrorCode::kIo, what + ": " + std::strerror(errno)); }

}  // namespace

// ---- the working directory ----

Result<SafeCopier> SafeCopier::Create(SafeCopyLimits limits) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp") + "/sealdrop-safe-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) return Io("cannot create a working directory");
  return SafeCopier(std::move(limits), std::move(templ));
}

SafeCopier::SafeCopier(SafeCopier&& other) noexcept
    : limits_(std::move(other.limits_)), dir_(std::move(other.dir_)), input_bytes_(other.input_bytes_) {
  other.dir_.clear();
}

SafeCopier::~SafeCopier() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);  // best effort: a destructor cannot report
}

Status SafeCopier::ReadInput(ByteSource& in) {
  auto file = AtomicFile::Create(dir_ + "/input", 0600, /*overwrite=*/false);
  if (!file) return file.error();
  std::vector<std::uint8_t> buf(kCopyChunk);
  for (;;) {
    auto n = in.Read(buf);
    if (!n) return n.error();
    if (*n == 0) break;
    input_bytes_ += *n;
    if (input_bytes_ > limits_.max_input_bytes) {
      return MakeError(ErrorCode::kLimitExceeded, "the attachment is too large for a safe copy");
    }
    if (auto st = file->Write(std::span(buf.data(), *n)); !st) return st;
  }
  return file->CommitUnsynced();  // a scratch file: durability does not matter
}

// ---- the conversions ----

namespace {

class Conversion {
 public:
  Conversion(const SafeCopyLimits& limits, std::string dir, std::uint64_t input_bytes)
      : limits_(limits), dir_(std::move(dir)), input_(dir_ + "/input"), input_bytes_(input_bytes),
        deadline_(Clock::now() + limits.total_time) {}

  Result<SafeCopyReport> Run(std::string_view name_hint, ByteSink& out) {
    SafeCopyReport report;
    if (input_bytes_ == 0) {
      report.input_type = report.output_type = "empty";
      return report;
    }
    auto head = Head();
    if (!head) return head.error();
    // What the original carries (listed for the officer) and what it is, from its bytes.
    auto seen = Describe(*head);
    if (!seen) return seen.error();
    report.input_type = seen->file_type;
    report.removed = seen->removed;
    if (auto picture = PictureOf(*head)) return Picture(*picture, report, out);
    if (IsPdf(*head)) return Pdf(report, out);
    if (seen->file_type == "plain text") {
      report.kind = SafeCopyKind::kUnchanged;
      report.output_type = report.input_type;
      report.warning = seen->warning;
      if (auto st = CopyOut(input_, out); !st) return st.error();
      return report;
    }
    return CleanOrCopy(name_hint, seen->warning, report, out);
  }

 private:
  Result<std::string> Head() {
    auto file = FileSource::Open(input_);
    if (!file) return file.error();
    std::string head(kSniffBytes, '\0');
    auto n = ReadFull(*file, std::span(reinterpret_cast<std::uint8_t*>(head.data()), head.size()));
    if (!n) return n.error();
    head.resize(*n);
    return head;
  }

  // metadata_strip's view of the original: what a JPEG or PNG carries (it reads their segment
  // and chunk headers to the end), otherwise the type's name and risk from the first bytes.
  Result<StripReport> Describe(std::string_view head) {
    NullSink nowhere;
    Result<StripReport> seen = MakeError(ErrorCode::kMalformed, "");
    const bool jpeg_or_png = head.substr(0, 3) == "\xFF\xD8\xFF"sv || head.substr(0, 4) == "\x89PNG"sv;
    if (jpeg_or_png) {
      auto file = FileSource::Open(input_);
      if (!file) return file.error();
      seen = StripMetadata(*file, nowhere);
    } else {
      MemorySource first(std::span(reinterpret_cast<const std::uint8_t*>(head.data()), head.size()));
      seen = StripMetadata(first, nowhere);
    }
    if (seen) return seen;
    // A picture the stripper cannot parse may still decode; the decoder decides.
    return StripReport{StripOutcome::kNothingToStrip, "damaged or unusual file", {}, {}};
  }

  // A fresh, empty directory: the only place the next sandboxed program may write.
  Result<std::string> StepDir(const std::string& name) {
    const std::string path = dir_ + "/" + name;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot clear a working directory");
    if (::mkdir(path.c_str(), 0700) != 0) return Io("cannot create a working directory");
    return path;
  }

  Result<SandboxOutcome> Sandboxed(std::vector<std::string> argv, const std::string& input,
                                   std::string input_name, const std::string& out_dir,
                                   std::string stdout_name, std::uint64_t max_file_bytes) {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline_ - Clock::now());
    if (left.count() <= 0) {
      return MakeError(ErrorCode::kLimitExceeded,
                       "the conversion took longer than " + std::to_string(limits_.total_time.count()) +
                           " s and was stopped");
    }
    SandboxRun run{.argv = std::move(argv),
                   .input_path = input,
                   .input_name = std::move(input_name),
                   .output_dir = out_dir,
                   .stdout_name = std::move(stdout_name),
                   .limits = {.wall_time = std::min(limits_.step_time, left),
                              .max_file_bytes = max_file_bytes},
                   .bwrap_path = limits_.bwrap_path};
    return RunInSandbox(run);
  }

  Status CopyOut(const std::string& path, ByteSink& out) {
    auto file = FileSource::Open(path);
    if (!file) return file.error();
    std::vector<std::uint8_t> buf(kCopyChunk);
    for (std::uint64_t total = 0;;) {
      auto n = file->Read(buf);
      if (!n) return n.error();
      if (*n == 0) return Status::Ok();
      total += *n;
      if (total > limits_.max_output_bytes) {
        return MakeError(ErrorCode::kLimitExceeded, "the safe copy would be too large");
      }
      if (auto st = out.Write(std::span(buf.data(), *n)); !st) return st;
    }
  }

  Result<SafeCopyReport> Picture(const PictureTools& tools, SafeCopyReport& report, ByteSink& out) {
    const std::string limit = Millions(limits_.max_pixels) + " pixels";
    auto size = ReadImageSize(input_, tools.format);
    if (!size) return size.error();
    if (*size && (*size)->pixels() > limits_.max_pixels) {
      return MakeError(ErrorCode::kLimitExceeded,
                       "the picture is " + std::to_string((*size)->width) + " x " +
                           std::to_string((*size)->height) + " pixels, over the limit of " + limit +
                           ": it was not decoded");
    }
    // 1. Untrusted file -> bare pixels. At most 6 bytes a pixel (16-bit RGB) can come out.
    auto decode_dir = StepDir("decode");
    if (!decode_dir) return decode_dir.error();
    const std::string shown_as = std::string("input.") + tools.extension;
    std::vector<std::string> decoder = tools.decoder;
    decoder.push_back("/in/" + shown_as);
    auto decoded = Sandboxed(std::move(decoder), input_, shown_as, *decode_dir,
                             "pixels.pnm", limits_.max_pixels * 6 + 4096);
    if (!decoded) return decoded.error();
    if (!decoded->exited && decoded->signal == SIGXFSZ) {
      return MakeError(ErrorCode::kLimitExceeded, "the picture decodes to more than " + limit);
    }
    if (!decoded->ok()) {
      return MakeError(ErrorCode::kMalformed, std::string("the ") + tools.type +
                                                  " picture could not be decoded (damaged, or not "
                                                  "what its first bytes say)");
    }
    const std::string pixels = *decode_dir + "/pixels.pnm";
    auto header = ReadPnmHeader(pixels, limits_.max_pixels);
    if (!header) {
      if (header.error().code == ErrorCode::kLimitExceeded) {
        return MakeError(ErrorCode::kLimitExceeded, "the picture decodes to more than " + limit);
      }
      return header.error();
    }
    // 2. Checked pixels -> a new file. The encoder sees nothing but the pixels.
    auto encode_dir = StepDir("encode");
    if (!encode_dir) return encode_dir.error();
    const std::string name = tools.stays_jpeg ? "picture.jpg" : "picture.png";
    std::vector<std::string> encoder =
        tools.stays_jpeg ? std::vector<std::string>{"/usr/bin/pnmtojpeg", "-quality=92", "/in/pixels.pnm"}
                         : std::vector<std::string>{"/usr/bin/pnmtopng", "/in/pixels.pnm"};
    int orientation = 1;
    if (tools.format == ImageFormat::kJpeg) {
      auto read = ReadJpegOrientation(input_);
      if (!read) return read.error();
      orientation = *read;
    }
    if (orientation != 1) {
      // Turned upright as a viewer would from the EXIF tag the copy drops. The command line is
      // fixed text: nothing from the file reaches it but the table's choice.
      encoder = {"/usr/bin/bash", "-o", "pipefail", "-c",
                 std::string("/usr/bin/pamflip -xform=") + kUpright[orientation] +
                     " /in/pixels.pnm | /usr/bin/pnmtojpeg -quality=92"};
    }
    auto encoded = Sandboxed(std::move(encoder), pixels, "pixels.pnm", *encode_dir, name,
                             limits_.max_output_bytes);
    if (!encoded) return encoded.error();
    if (!encoded->ok()) return MakeError(ErrorCode::kIo, "the picture could not be re-encoded");
    if (auto st = CopyOut(*encode_dir + "/" + name, out); !st) return st.error();
    report.kind = SafeCopyKind::kPicture;
    report.output_type = tools.stays_jpeg ? "JPEG" : "PNG";
    report.notes.push_back("re-encoded from its pixels (" + std::to_string(header->size.width) +
                           " x " + std::to_string(header->size.height) + "): nothing else was kept");
    if (orientation != 1) {
      report.notes.push_back("turned upright as its EXIF orientation asked (the tag itself is gone)");
    } else if (tools.format != ImageFormat::kJpeg && tools.format != ImageFormat::kPng) {
      report.notes.push_back("only the first picture or frame is kept");
    }
    return report;
  }

  Result<std::uint32_t> PageCount() {
    auto dir = StepDir("info");
    if (!dir) return dir.error();
    auto info = Sandboxed({"/usr/bin/pdfinfo", "/in/input.pdf"}, input_, "input.pdf", *dir,
                          "info.txt", 1 << 20);
    if (!info) return info.error();
    const Error unreadable =
        MakeError(ErrorCode::kMalformed, "the PDF could not be read (damaged, or protected by a password)");
    if (!info->ok()) return unreadable;
    auto text = ReadSmallFile(*dir + "/info.txt", 1 << 20);
    if (!text) return unreadable;
    const std::string key = "\nPages:";
    const auto at = ("\n" + *text).find(key);
    if (at == std::string::npos) return unreadable;
    std::size_t pos = at + key.size() - 1;  // in *text
    while (pos < text->size() && (*text)[pos] == ' ') ++pos;
    std::uint64_t pages = 0;
    std::size_t digits = 0;
    while (pos < text->size() && (*text)[pos] >= '0' && (*text)[pos] <= '9' && digits < 9) {
      pages = pages * 10 + static_cast<std::uint64_t>((*text)[pos++] - '0');
      ++digits;
    }
    if (digits == 0 || digits == 9 || pages == 0) return unreadable;
    if (pages > limits_.max_pages) {
      return MakeError(ErrorCode::kLimitExceeded, "the PDF has " + std::to_string(pages) +
                                                      " pages, over the limit of " +
                                                      std::to_string(limits_.max_pages));
    }
    return static_cast<std::uint32_t>(pages);
  }

  Result<SafeCopyReport> Pdf(SafeCopyReport& report, ByteSink& out) {
    auto pages = PageCount();
    if (!pages) return pages.error();
    auto pdf = SafePdfWriter::Begin(out, *pages);
    if (!pdf) return pdf.error();
    const std::string dpi = std::to_string(limits_.dpi);
    // One page per sandbox run: at most one rendered page is ever on disk.
    for (std::uint32_t page = 1; page <= *pages; ++page) {
      auto dir = StepDir("page");
      if (!dir) return dir.error();
      const std::string n = std::to_string(page);
      auto rendered = Sandboxed({"/usr/bin/pdftoppm", "-r", dpi, "-f", n, "-l", n, "-singlefile",
                                 "/in/input.pdf", "/out/page"},
                                input_, "input.pdf", *dir, "", limits_.max_pixels * 3 + 64);
      if (!rendered) return rendered.error();
      if (!rendered->exited && rendered->signal == SIGXFSZ) {
        return MakeError(ErrorCode::kLimitExceeded, "page " + n + " is too large to render at " + dpi + " dpi");
      }
      if (!rendered->ok()) {
        return MakeError(ErrorCode::kMalformed, "page " + n + " of the PDF could not be rendered");
      }
      if (auto st = pdf->AddPage(*dir + "/page.ppm", limits_.dpi, limits_.max_pixels); !st) {
        return st.error();
      }
      if (pdf->bytes_written() > limits_.max_output_bytes) {
        return MakeError(ErrorCode::kLimitExceeded, "the safe copy would be too large");
      }
    }
    if (auto st = pdf->Finish(); !st) return st.error();
    report.kind = SafeCopyKind::kPdf;
    report.output_type = "PDF";
    report.pages = *pages;
    report.removed.push_back("everything but the look of each page: text, links, forms, scripts, "
                             "attachments and document properties (author, title, dates)");
    report.notes.push_back("rebuilt from pictures of its " + std::to_string(*pages) + " page(s) at " +
                           dpi + " dpi: its text cannot be selected or searched");
    return report;
  }

  Result<SafeCopyReport> CleanOrCopy(std::string_view name_hint, const std::string& risk,
                                     SafeCopyReport& report, ByteSink& out) {
    const std::string ext = ExtensionFor(name_hint);
    if (!ext.empty()) {
      auto dir = StepDir("clean");
      if (!dir) return dir.error();
      const std::string name = "file." + ext;
      std::error_code ec;
      std::filesystem::copy_file(input_, *dir + "/" + name, ec);
      if (ec) return MakeError(ErrorCode::kIo, "cannot copy the attachment for mat2");
      // mat2 runs in our sandbox already; its own use of bubblewrap cannot nest in it.
      auto cleaned = Sandboxed({"/usr/bin/mat2", "--no-sandbox", "--inplace", "/out/" + name}, input_,
                               "input." + ext, *dir, "", std::max<std::uint64_t>(input_bytes_ * 4, 64 << 20));
      if (!cleaned) return cleaned.error();
      if (cleaned->ok()) {
        if (auto st = CopyOut(*dir + "/" + name, out); !st) return st.error();
        report.kind = SafeCopyKind::kCleaned;
        report.output_type = report.input_type;
        report.removed.clear();
        report.removed.push_back("the metadata mat2 knows for ." + ext + " files");
        report.warning = "only metadata was removed: the content is as the reporter sent it "
                         "(macros, scripts, links and embedded files stay); open it only on this "
                         "machine";
        return report;
      }
    }
    report.kind = SafeCopyKind::kUnchanged;
    report.output_type = report.input_type;
    report.warning = risk.empty() ? "this file was exported unchanged" : risk;
    if (auto st = CopyOut(input_, out); !st) return st.error();
    return report;
  }

  const SafeCopyLimits& limits_;
  const std::string dir_;
  const std::string input_;
  const std::uint64_t input_bytes_;
  const Clock::time_point deadline_;
};

}  // namespace

Result<SafeCopyReport> SafeCopier::WriteSafeCopy(std::string_view name_hint, ByteSink& out) {
  try {
    Conversion conversion(limits_, dir_, input_bytes_);
    return conversion.Run(name_hint, out);
  } catch (const std::bad_alloc&) {
    return MakeError(ErrorCode::kLimitExceeded, "out of memory while making a safe copy");
  } catch (const std::filesystem::filesystem_error&) {
    return MakeError(ErrorCode::kIo, "a working file could not be handled");
  }
}

}  // namespace sealdrop::console
