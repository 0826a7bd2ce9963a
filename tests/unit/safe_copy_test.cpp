// Safe copies (journalist_console/sanitize) against the real converters in the real sandbox:
// bubblewrap, netpbm, poppler-utils and mat2 from Debian. Every input is crafted here; the
// checks read the output's bytes and parse it with independent tools (pdfinfo, pdftotext,
// pdfimages, pdftoppm, jpegtopnm, python3's zipfile).
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include <zlib.h>

#include <gtest/gtest.h>

#include "common/io.h"
#include "journalist_console/sanitize/metadata_strip.h"
#include "journalist_console/sanitize/pixel_headers.h"
#include "journalist_console/sanitize/safe_copy.h"
#include "journalist_console/sanitize/safe_pdf.h"
#include "journalist_console/sanitize/sandbox.h"
#include "tests/support/crafted_files.h"
#include "tests/support/process.h"

namespace sealdrop::console {
namespace {

using testing::ReadFileOrDie;
using testing::RunProcess;
using testing::TempDir;
using testing::WriteFileOrDie;
using testing::Be16;
using testing::Be32;
using testing::ExifTiff;
using testing::JpegSegment;
using testing::JpegWithExifAndGps;
using testing::Ppm;

constexpr const char* kSecret = testing::kCraftedSecretName;  // must never survive a safe copy

std::string Netpbm(const std::string& program, const std::string& input) {
  auto r = RunProcess({program}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

std::string PngChunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  return Be32(static_cast<std::uint32_t>(data.size())) + body + Be32(static_cast<std::uint32_t>(crc));
}

// A real PNG (pnmtopng) with text, time and EXIF chunks after IHDR.
std::string PngWithMetadata(unsigned w, unsigned h) {
  const std::string png = Netpbm("/usr/bin/pnmtopng", Ppm(w, h));
  const std::size_t after_ihdr = 8 + 25;
  return png.substr(0, after_ihdr) + PngChunk("tEXt", std::string("Author\0", 7) + kSecret) +
         PngChunk("tIME", "\x07\xEA\x0B\x1E\x0C\x00\x00") + PngChunk("eXIf", ExifTiff()) +
         png.substr(after_ihdr);
}

// A PDF (two US Letter pages: a heading and a black square each) with an author, a title, and
// JavaScript run on opening.
std::string PdfWithAuthorAndJavaScript() {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R "
      "/Names << /JavaScript << /Names [(opener) 5 0 R] >> >> >>",
      "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R "
      "/Resources << /Font << /F1 8 0 R >> >> >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 7 0 R "
      "/Resources << /Font << /F1 8 0 R >> >> >>",
      "<< /Type /Action /S /JavaScript /JS (app.alert\\('pwned'\\);) >>",
  };
  for (const char* page : {"PAGE ONE HEADING", "PAGE TWO HEADING"}) {
    const std::string draw =
        std::string("BT /F1 36 Tf 72 700 Td (") + page + ") Tj ET 0 0 0 rg 200 200 200 200 re f\n";
    objects.push_back("<< /Length " + std::to_string(draw.size()) + " >>\nstream\n" + draw + "endstream");
  }
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  objects.push_back(std::string("<< /Author (") + kSecret + ") /Title (Secret report title) >>");
  return testing::PdfOfObjects(objects, /*info=*/9);
}

struct Copied {
  Result<SafeCopyReport> report;
  std::string bytes;
};

Copied SafeCopy(const std::string& input, const std::string& name, SafeCopyLimits limits = {}) {
  auto copier = SafeCopier::Create(limits);
  if (!copier) return {copier.error(), {}};
  MemorySource in(std::span(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
  if (auto st = copier->ReadInput(in); !st) return {st.error(), {}};
  MemorySink out;
  auto report = copier->WriteSafeCopy(name, out);
  return {std::move(report), std::string(out.bytes().begin(), out.bytes().end())};
}

PixelSize DecodedSize(const TempDir& dir, const std::string& picture, const char* decoder) {
  WriteFileOrDie(dir / "check.pnm", Netpbm(decoder, picture));
  auto header = ReadPnmHeader(dir / "check.pnm", 1u << 30);
  EXPECT_TRUE(header.ok());
  return header ? header->size : PixelSize{};
}

std::vector<std::string> MetadataSeenBy(const std::string& file) {
  MemorySource in(std::span(reinterpret_cast<const std::uint8_t*>(file.data()), file.size()));
  MemorySink nowhere;
  auto seen = StripMetadata(in, nowhere);
  EXPECT_TRUE(seen.ok());
  return seen ? seen->removed : std::vector<std::string>{"unparseable"};
}

TEST(SafeCopy, JpegIsReencodedFromPixelsWithNoMetadata) {
  const std::string original = JpegWithExifAndGps(96, 64);
  ASSERT_NE(original.find(kSecret), std::string::npos);
  ASSERT_EQ(MetadataSeenBy(original).size(), 2u);  // the crafted EXIF and comment are real
  auto copy = SafeCopy(original, "photo.jpg");
  ASSERT_TRUE(copy.report.ok()) << copy.report.error().message;
  EXPECT_EQ(copy.report->kind, SafeCopyKind::kPicture);
  EXPECT_EQ(copy.report->output_type, "JPEG");
  EXPECT_EQ(copy.bytes.substr(0, 3), "\xFF\xD8\xFF");
  for (const char* gone : {kSecret, "Exif", "51.5072N", "MM\0*"}) {
    EXPECT_EQ(copy.bytes.find(gone), std::string::npos) << gone;
  }
  EXPECT_TRUE(MetadataSeenBy(copy.bytes).empty());
  TempDir dir;
  const PixelSize size = DecodedSize(dir, copy.bytes, "/usr/bin/jpegtopnm");
  EXPECT_EQ(size.width, 96u);
  EXPECT_EQ(size.height, 64u);
  // The officer is told what the original carried.
  ASSERT_EQ(copy.report->removed.size(), 2u);
  EXPECT_NE(copy.report->removed[0].find("EXIF"), std::string::npos);
}

TEST(SafeCopy, SidewaysPhotoIsTurnedUprightAsItsExifAsked) {
  // 96 x 64, dark on the left half. Stored sideways with orientation 6, a viewer turns it 90°
  // clockwise (the left side goes to the top); with 8, counter-clockwise (to the bottom).
  std::string ppm = "P6\n96 64\n255\n";
  for (unsigned y = 0; y < 64; ++y) {
    for (unsigned x = 0; x < 96; ++x) ppm += std::string(3, x < 48 ? '\x10' : '\xF0');
  }
  const std::string jpeg = Netpbm("/usr/bin/pnmtojpeg", ppm);
  for (const int orientation : {6, 8}) {
    const std::string tiff = "MM" + Be16(42) + Be32(8) + Be16(1) + Be16(0x0112) + Be16(3) + Be32(1) +
                             Be16(static_cast<unsigned>(orientation)) + Be16(0) + Be32(0);
    const std::string sideways =
        jpeg.substr(0, 2) + JpegSegment(0xE1, std::string("Exif\0\0", 6) + tiff) + jpeg.substr(2);
    auto copy = SafeCopy(sideways, "photo.jpg");
    ASSERT_TRUE(copy.report.ok()) << copy.report.error().message;
    EXPECT_EQ(copy.bytes.find("Exif"), std::string::npos);
    TempDir dir;
    const std::string pixels = Netpbm("/usr/bin/jpegtopnm", copy.bytes);
    WriteFileOrDie(dir / "upright.pnm", pixels);
    auto header = ReadPnmHeader(dir / "upright.pnm", 1u << 20);
    ASSERT_TRUE(header.ok());
    ASSERT_EQ(header->size.width, 64u);
    ASSERT_EQ(header->size.height, 96u);
    const auto grey = [&](unsigned x, unsigned y) {
      return static_cast<unsigned char>(pixels[header->header_bytes + (std::size_t{y} * 64 + x) * 3]);
    };
    const bool dark_on_top = orientation == 6;
    EXPECT_EQ(grey(32, 10) < 0x80, dark_on_top) << orientation;
    EXPECT_EQ(grey(32, 86) < 0x80, !dark_on_top) << orientation;
  }
}

TEST(SafeCopy, PngIsReencodedFromPixelsWithNoMetadata) {
  const std::string original = PngWithMetadata(70, 50);
  ASSERT_EQ(MetadataSeenBy(original).size(), 3u);
  auto copy = SafeCopy(original, "screenshot.png");
  ASSERT_TRUE(copy.report.ok()) << copy.report.error().message;
  EXPECT_EQ(copy.report->kind, SafeCopyKind::kPicture);
  EXPECT_EQ(copy.bytes.substr(0, 8), "\x89PNG\r\n\x1a\n");
  for (const char* gone : {kSecret, "tEXt", "tIME", "eXIf", "Author"}) {
    EXPECT_EQ(copy.bytes.find(gone), std::string::npos) << gone;
  }
  EXPECT_TRUE(MetadataSeenBy(copy.bytes).empty());
  TempDir dir;
  const PixelSize size = DecodedSize(dir, copy.bytes, "/usr/bin/pngtopnm");
  EXPECT_EQ(size.width, 70u);
  EXPECT_EQ(size.height, 50u);
  // Lossless: the same pixels come back.
  EXPECT_EQ(Netpbm("/usr/bin/pngtopnm", copy.bytes), Ppm(70, 50));
}

TEST(SafeCopy, PdfBecomesPagePicturesWithoutAuthorOrJavaScript) {
  TempDir dir;
  const std::string original = PdfWithAuthorAndJavaScript();
  WriteFileOrDie(dir / "original.pdf", original);
  // The crafted file is what it claims: poppler sees the author, the title and the script.
  auto info = RunProcess({"/usr/bin/pdfinfo", dir / "original.pdf"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  ASSERT_NE(info.out.find(kSecret), std::string::npos) << info.out;
  ASSERT_NE(info.out.find("JavaScript:      yes"), std::string::npos) << info.out;
  ASSERT_NE(RunProcess({"/usr/bin/pdfinfo", "-js", dir / "original.pdf"}).out.find("app.alert"),
            std::string::npos);
  ASSERT_NE(RunProcess({"/usr/bin/pdftotext", dir / "original.pdf", "-"}).out.find("PAGE ONE"),
            std::string::npos);

  auto copy = SafeCopy(original, "report.pdf");
  ASSERT_TRUE(copy.report.ok()) << copy.report.error().message;
  EXPECT_EQ(copy.report->kind, SafeCopyKind::kPdf);
  EXPECT_EQ(copy.report->pages, 2u);
  for (const char* gone : {kSecret, "Secret report title", "/JS", "/JavaScript", "/OpenAction",
                           "/Info", "/Font", "/Author", "PAGE ONE"}) {
    EXPECT_EQ(copy.bytes.find(gone), std::string::npos) << gone;
  }
  WriteFileOrDie(dir / "safe.pdf", copy.bytes);
  info = RunProcess({"/usr/bin/pdfinfo", dir / "safe.pdf"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(info.err, "");  // a clean parse: no syntax errors, no cross-reference repair
  EXPECT_EQ(info.out.find("Author"), std::string::npos) << info.out;
  EXPECT_EQ(info.out.find("Title"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("JavaScript:      no"), std::string::npos) << info.out;
  EXPECT_EQ(RunProcess({"/usr/bin/pdfinfo", "-js", dir / "safe.pdf"}).out, "");
  EXPECT_NE(info.out.find("Pages:           2"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("612 x 792 pts"), std::string::npos) << info.out;  // same page size
  // No text layer at all; one page-sized picture per page.
  auto text = RunProcess({"/usr/bin/pdftotext", dir / "safe.pdf", "-"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_EQ(text.out.find_first_not_of(" \n\f"), std::string::npos) << text.out;
  auto images = RunProcess({"/usr/bin/pdfimages", "-list", dir / "safe.pdf"});
  ASSERT_EQ(images.exit_code, 0) << images.err;
  EXPECT_NE(images.out.find("   1     0 image    1275  1650  rgb     3   8  image"), std::string::npos)
      << images.out;
  EXPECT_NE(images.out.find("   2     1 image    1275  1650  rgb     3   8  image"), std::string::npos)
      << images.out;
  // The pictures show the pages: the black square is there, where it was drawn.
  auto page = RunProcess({"/usr/bin/pdftoppm", "-r", "72", "-f", "2", "-l", "2", dir / "safe.pdf"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  WriteFileOrDie(dir / "page.ppm", page.out);
  auto header = ReadPnmHeader(dir / "page.ppm", 1u << 24);
  ASSERT_TRUE(header.ok());
  ASSERT_EQ(header->size.width, 612u);
  const auto pixel = [&](unsigned x, unsigned y) {  // PDF coordinates: y up
    return static_cast<unsigned char>(
        page.out[header->header_bytes + (std::size_t{792 - 1 - y} * 612 + x) * 3]);
  };
  EXPECT_LT(pixel(300, 300), 40);   // inside the square
  EXPECT_GT(pixel(100, 100), 200);  // white paper
  // The same pages give the same bytes.
  EXPECT_EQ(SafeCopy(original, "again.pdf").bytes, copy.bytes);
}

TEST(SafeCopy, OversizedPictureIsRefusedBeforeDecoding) {
  // A PNG whose header claims 20,000 x 20,000 pixels (1.2 GB of pixels) in a few dozen bytes.
  const std::string ihdr = Be32(20000) + Be32(20000) + std::string("\x08\x02\x00\x00\x00", 5);
  const std::string bomb = std::string("\x89PNG\r\n\x1a\n") + PngChunk("IHDR", ihdr) +
                           PngChunk("IDAT", "\x78\x9c\x03\x00\x00\x00\x00\x01") + PngChunk("IEND", "");
  auto copy = SafeCopy(bomb, "huge.png");
  ASSERT_FALSE(copy.report.ok());
  EXPECT_EQ(copy.report.error().code, ErrorCode::kLimitExceeded);
  EXPECT_NE(copy.report.error().message.find("20000 x 20000 pixels, over the limit of 100.0 million"),
            std::string::npos)
      << copy.report.error().message;
  EXPECT_TRUE(copy.bytes.empty());

  // A format whose size is not read up front (TIFF) is stopped by the decoder's output limit.
  SafeCopyLimits small;
  small.max_pixels = 1000;
  // 200 x 200 pixels decode to 120,000 bytes: the decoder is stopped at the file limit (SIGXFSZ).
  auto tiff = SafeCopy(Netpbm("/usr/bin/pnmtotiff", Ppm(200, 200)), "scan.tif", small);
  ASSERT_FALSE(tiff.report.ok());
  EXPECT_EQ(tiff.report.error().code, ErrorCode::kLimitExceeded);
  EXPECT_NE(tiff.report.error().message.find("decodes to more than"), std::string::npos)
      << tiff.report.error().message;
  EXPECT_TRUE(tiff.bytes.empty());
}

TEST(SafeCopy, PdfOverThePageLimitIsRefused) {
  SafeCopyLimits one_page;
  one_page.max_pages = 1;
  auto copy = SafeCopy(PdfWithAuthorAndJavaScript(), "report.pdf", one_page);
  ASSERT_FALSE(copy.report.ok());
  EXPECT_EQ(copy.report.error().code, ErrorCode::kLimitExceeded);
  EXPECT_NE(copy.report.error().message.find("2 pages, over the limit of 1"), std::string::npos);
}

TEST(SafeCopy, DamagedPdfIsAnErrorNeverPassedThrough) {
  auto copy = SafeCopy("%PDF-1.7\nnot really a PDF at all\n", "report.pdf");
  ASSERT_FALSE(copy.report.ok());
  EXPECT_EQ(copy.report.error().code, ErrorCode::kMalformed);
  EXPECT_TRUE(copy.bytes.empty());
}

TEST(SafeCopy, UnknownTypeIsCopiedUnchangedWithAWarning) {
  const std::string blob("\x00\x01\x02SEALDROP-UNKNOWN\xFE\xFF", 21);
  auto copy = SafeCopy(blob, "data.xyz");
  ASSERT_TRUE(copy.report.ok()) << copy.report.error().message;
  EXPECT_EQ(copy.report->kind, SafeCopyKind::kUnchanged);
  EXPECT_EQ(copy.bytes, blob);
  EXPECT_NE(copy.report->warning.find("not recognised"), std::string::npos) << copy.report->warning;
  EXPECT_NE(copy.report->warning.find("exported unchanged"), std::string::npos);
}

TEST(SafeCopy, OfficeDocumentGoesThroughMat2) {
  TempDir dir;
  // A minimal Word document whose core properties name the author.
  const std::string script = R"(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')
    z.writestr('_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>')
    z.writestr('word/document.xml', '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Statement text</w:t></w:r></w:p></w:body></w:document>')
    z.writestr('docProps/core.xml', '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Alice Reporter</dc:creator></cp:coreProperties>')
)";
  auto made = RunProcess({"/usr/bin/python3", "-c", script, dir / "statement.docx"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto copy = SafeCopy(ReadFileOrDie(dir / "statement.docx"), "statement.docx");
  ASSERT_TRUE(copy.report.ok()) << copy.report.error().message;
  EXPECT_EQ(copy.report->kind, SafeCopyKind::kCleaned);
  EXPECT_NE(copy.report->warning.find("macros"), std::string::npos);
  WriteFileOrDie(dir / "cleaned.docx", copy.bytes);
  const std::string dump = R"(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist(): sys.stdout.write(n + '\n' + z.read(n).decode('utf-8', 'replace') + '\n')
)";
  auto contents = RunProcess({"/usr/bin/python3", "-c", dump, dir / "cleaned.docx"});
  ASSERT_EQ(contents.exit_code, 0) << contents.err;
  EXPECT_EQ(contents.out.find(kSecret), std::string::npos) << contents.out;
  EXPECT_NE(contents.out.find("Statement text"), std::string::npos) << contents.out;
}

TEST(SafeCopy, NoSandboxNoConversion) {
  // A stand-in for bubblewrap on a kernel without unprivileged user namespaces: it refuses as
  // bwrap does and never runs the program. The copy must fail, with nothing converted outside.
  TempDir dir;
  WriteFileOrDie(dir / "bwrap",
                 "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace, likely because "
                 "the kernel does not allow non-privileged user namespaces.' >&2\nexit 1\n");
  ASSERT_EQ(::chmod((dir / "bwrap").c_str(), 0700), 0);
  SafeCopyLimits limits;
  limits.bwrap_path = dir / "bwrap";
  for (const auto& [input, name] : {std::pair{JpegWithExifAndGps(32, 32), "photo.jpg"},
                                    std::pair{PdfWithAuthorAndJavaScript(), "report.pdf"}}) {
    auto copy = SafeCopy(input, name, limits);
    ASSERT_FALSE(copy.report.ok()) << name;
    EXPECT_EQ(copy.report.error().code, ErrorCode::kIo);
    EXPECT_NE(copy.report.error().message.find("the sandbox could not start (bwrap: No permissions"),
              std::string::npos)
        << copy.report.error().message;
    EXPECT_TRUE(copy.bytes.empty());
  }
}

// ---- the sandbox itself ----

struct Prison {
  TempDir dir;
  std::string input = dir / "input.txt";
  std::string out = dir / "out";
  Prison() {
    WriteFileOrDie(input, "untrusted");
    EXPECT_EQ(::mkdir(out.c_str(), 0700), 0);
  }
  Result<SandboxOutcome> Run(const std::string& script, std::chrono::seconds wall = std::chrono::seconds(60)) {
    SandboxRun run{.argv = {"/usr/bin/bash", "-c", script},
                   .input_path = input,
                   .input_name = "input.txt",
                   .output_dir = out,
                   .stdout_name = "stdout.txt",
                   .limits = {.wall_time = wall, .max_file_bytes = 1 << 20}};
    return RunInSandbox(run);
  }
};

TEST(Sandbox, WritesOnlyItsOutputDirectoryAndHasNoNetwork) {
  Prison p;
  // A listener on the host's loopback: the sandbox has its own network, so it cannot reach it.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string port = std::to_string(ntohs(addr.sin_port));

  const std::string script =
      "try() { if (eval \"$2\") 2>/dev/null; then echo \"$1 WRITABLE\"; else echo \"$1 refused\"; fi; }\n"
      "try input 'echo x >> /in/input.txt'\n"
      "try usr 'echo x > /usr/sealdrop-escape'\n"
      "try root 'echo x > /sealdrop-escape'\n"
      "try etc 'echo x > /etc/sealdrop-escape'\n"
      "try host-dir 'echo x > " + p.dir.path() + "/escape'\n"
      "try network 'exec 3<>/dev/tcp/127.0.0.1/" + port + "'\n"
      "try tmp 'echo x > /tmp/scratch'\n"
      "try out 'echo x > /out/made'\n"
      "cat /in/input.txt; echo\n";
  auto r = p.Run(script);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->ok()) << r->stderr_tail;
  const std::string said = ReadFileOrDie(p.out + "/stdout.txt");
  for (const char* refused : {"input refused", "usr refused", "root refused", "etc refused",
                              "host-dir refused", "network refused"}) {
    EXPECT_NE(said.find(refused), std::string::npos) << refused << "\n" << said;
  }
  EXPECT_NE(said.find("tmp WRITABLE"), std::string::npos) << said;  // private, gone afterwards
  EXPECT_NE(said.find("out WRITABLE"), std::string::npos) << said;
  EXPECT_NE(said.find("untrusted"), std::string::npos) << said;  // the input is readable
  EXPECT_EQ(ReadFileOrDie(p.input), "untrusted");
  EXPECT_EQ(ReadFileOrDie(p.out + "/made"), "x\n");
  EXPECT_FALSE(PathExists(p.dir / "escape"));
  EXPECT_FALSE(PathExists("/usr/sealdrop-escape"));
  EXPECT_LT(::accept(listener, nullptr, nullptr), 0);  // nobody connected
  ::close(listener);
}

TEST(Sandbox, RefusesNewNamespacesAndKernelSocketsBySeccomp) {
  Prison p;
  auto r = p.Run(
      "try() { if (eval \"$2\") >/dev/null 2>&1; then echo \"$1 allowed\"; else echo \"$1 refused\"; fi; }\n"
      "try userns '/usr/bin/unshare --user --map-root-user /usr/bin/true'\n"
      "try netns '/usr/bin/unshare --net /usr/bin/true'\n"
      "try netlink '/usr/bin/python3 -c \"import socket; socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)\"'\n"
      "try inet '/usr/bin/python3 -c \"import socket; socket.socket(socket.AF_INET)\"'\n"
      "try unix '/usr/bin/python3 -c \"import socket; socket.socket(socket.AF_UNIX)\"'\n"
      "try thread '/usr/bin/python3 -c \"import threading; t = threading.Thread(target=print); t.start(); t.join()\"'\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string said = ReadFileOrDie(p.out + "/stdout.txt");
  for (const char* line : {"userns refused", "netns refused", "netlink refused", "inet refused",
                           "unix allowed", "thread allowed"}) {
    EXPECT_NE(said.find(line), std::string::npos) << line << "\n" << said;
  }
}

TEST(Sandbox, RunsAsAnOrdinaryUser) {
  if (::geteuid() != 0) {
    Prison p;
    auto r = p.Run("id -u");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->ok());
    return;
  }
  // As root (CI): the same sandbox from a process that has dropped to nobody, which needs an
  // unprivileged user namespace as any officer's login would.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    ::setenv("TMPDIR", "/tmp", 1);
    int code = 3;
    {
      Prison p;
      auto r = p.Run("test \"$(id -u)\" != 0 && echo x > /out/made && ! echo x > /usr/escape");
      if (!r.ok()) {
        std::fprintf(stderr, "%s\n", r.error().message.c_str());
      } else if (r->ok() && PathExists(p.out + "/made")) {
        code = 0;
      }
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Sandbox, IsKilledWhenItRunsOutOfTime) {
  Prison p;
  auto r = p.Run("sleep 60", std::chrono::seconds(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLimitExceeded);
  EXPECT_NE(r.error().message.find("longer than 1 s"), std::string::npos);
}

TEST(Sandbox, AConverterThatWritesMuchToStderrIsNotStalled) {
  Prison p;
  auto r = p.Run("head -c 300000 /dev/zero | tr '\\0' x >&2; echo done > /out/made");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(ReadFileOrDie(p.out + "/made"), "done\n");
  EXPECT_LE(r->stderr_tail.size(), 600u);  // only the end is kept
  EXPECT_EQ(r->stderr_tail.find_first_not_of('x'), std::string::npos);
}

TEST(Sandbox, StopsAFileAtTheSizeLimit) {
  Prison p;
  auto r = p.Run("head -c 2000000 /dev/zero > /out/big");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->ok());
  EXPECT_LE(ReadFileOrDie(p.out + "/big").size(), 1u << 20);
}

}  // namespace
}  // namespace sealdrop::console

namespace sealdrop::console {
namespace {

// The vector in docs/console.md "Safe export": one page of two pixels (red, blue) at 72 dpi.
TEST(SafePdf, OnePageMatchesTheSpecVector) {
  TempDir dir;
  WriteFileOrDie(dir / "page.ppm", std::string("P6\n2 1\n255\n\xFF\x00\x00\x00\x00\xFF", 17));
  MemorySink sink;
  auto pdf = SafePdfWriter::Begin(sink, 1);
  ASSERT_TRUE(pdf.ok());
  ASSERT_TRUE(pdf->AddPage(dir / "page.ppm", 72, 1000).ok());
  ASSERT_TRUE(pdf->Finish().ok());
  const std::string got(sink.bytes().begin(), sink.bytes().end());
  const std::string image = std::string("\x78\x9C\xFB\xCF\x00\x04\xFF\x01\x06\xFF\x01\xFF", 12);
  const std::string expected =
      "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"
      "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
      "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
      "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2.00 1.00] /Resources << /XObject << "
      "/Im0 5 0 R >> >> /Contents 4 0 R >>\nendobj\n"
      "4 0 obj\n<< /Length 33 >>\nstream\nq 2.00 0 0 1.00 0 0 cm /Im0 Do Q\nendstream\nendobj\n"
      "5 0 obj\n<< /Type /XObject /Subtype /Image /Width 2 /Height 1 /ColorSpace /DeviceRGB "
      "/BitsPerComponent 8 /Filter /FlateDecode /Length 12 >>\nstream\n" + image +
      "\nendstream\nendobj\n"
      "xref\n0 6\n0000000000 65535 f \n0000000015 00000 n \n0000000064 00000 n \n"
      "0000000121 00000 n \n0000000253 00000 n \n0000000335 00000 n \n"
      "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n511\n%%EOF\n";
  EXPECT_EQ(got, expected);
  EXPECT_EQ(pdf->bytes_written(), got.size());
  // The picture inside is the two pixels.
  std::string pixels(6, '\0');
  uLongf n = 6;
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(pixels.data()), &n,
                       reinterpret_cast<const Bytef*>(image.data()), image.size()),
            Z_OK);
  EXPECT_EQ(pixels, std::string("\xFF\x00\x00\x00\x00\xFF", 6));
}

TEST(SafePdf, RefusesAPagePictureThatIsNotEightBitRgb) {
  TempDir dir;
  MemorySink sink;
  auto pdf = SafePdfWriter::Begin(sink, 1);
  ASSERT_TRUE(pdf.ok());
  for (const std::string& bad : {std::string("P5\n2 1\n255\n\x01\x02", 13),      // grey
                                 std::string("P6\n2 1\n65535\n", 12) + std::string(12, '\x01'),
                                 std::string("P6\n2 1\n255\n\x01\x02", 13),      // short raster
                                 std::string("P6 #c\n2 1\n255\n") + std::string(6, '\x01')}) {
    WriteFileOrDie(dir / "page.ppm", bad);
    EXPECT_FALSE(pdf->AddPage(dir / "page.ppm", 72, 1000).ok()) << bad;
  }
}

}  // namespace
}  // namespace sealdrop::console
