// What a safe copy (journalist_console/sanitize/safe_copy.h) costs an officer: the bare sandbox
// start, a 12-megapixel photo (JPEG and PNG) re-encoded from its pixels, and a PDF of text pages
// rebuilt from page pictures at 150 dpi.
//   cmake --build --preset release --target safe_copy_bench && build/release/bench/safe_copy_bench [pages]
// Prints wall time per step (median of a few runs where cheap) and output sizes. Needs the Debian
// converters installed (scripts/install-deps).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/io.h"
#include "journalist_console/sanitize/safe_copy.h"
#include "journalist_console/sanitize/sandbox.h"

using namespace sealdrop;
using namespace sealdrop::console;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}


// A netpbm program fed `input` on stdin; its stdout.
std::string Pipe(const char* program, const std::string& input) {
  char in_path[] = "/tmp/safe-copy-bench-XXXXXX";
  const int fd = ::mkstemp(in_path);
  if (fd < 0 || ::write(fd, input.data(), input.size()) != static_cast<ssize_t>(input.size())) std::abort();
  ::close(fd);
  const std::string cmd = std::string(program) + " < " + in_path;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) std::abort();
  std::string out;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  ::unlink(in_path);
  return out;
}

// A photo-like 4000 x 3000 picture: smooth gradients with noise, so it compresses as photos do.
std::string Photo() {
  const unsigned w = 4000, h = 3000;
  std::string p = "P6\n4000 3000\n255\n";
  p.reserve(p.size() + std::size_t{w} * h * 3);
  std::uint32_t seed = 12345;
  for (unsigned y = 0; y < h; ++y) {
    for (unsigned x = 0; x < w; ++x) {
      seed = seed * 1664525u + 1013904223u;
      const unsigned noise = (seed >> 24) & 15;
      p += static_cast<char>((x * 200 / w + noise) & 0xFF);
      p += static_cast<char>((y * 200 / h + noise) & 0xFF);
      p += static_cast<char>((100 + (x + y) * 100 / (w + h) + noise) & 0xFF);
    }
  }
  return p;
}

// `pages` A4 pages of 40 lines of Helvetica text and a grey box, like a typed statement.
std::string TextPdf(unsigned pages) {
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>", ""};
  std::string kids;
  const unsigned font = 3 + 2 * pages;
  for (unsigned i = 0; i < pages; ++i) {
    const unsigned page = 3 + 2 * i;
    kids += std::to_string(page) + " 0 R ";
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " +
                      std::to_string(page + 1) + " 0 R /Resources << /Font << /F1 " +
                      std::to_string(font) + " 0 R >> >> >>");
    std::string draw = "0.8 g 60 60 475 60 re f 0 g BT /F1 11 Tf 60 780 Td 14 TL\n";
    for (int line = 0; line < 40; ++line) {
      draw += "(Statement page " + std::to_string(i + 1) + " line " + std::to_string(line + 1) +
              ": the officer said that the account was closed on the Tuesday.) '\n";
    }
    draw += "ET\n";
    objects.push_back("<< /Length " + std::to_string(draw.size()) + " >>\nstream\n" + draw + "endstream");
  }
  objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>";
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  std::string pdf = "%PDF-1.7\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t at : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", at);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

struct Cost {
  double wall = 0;
  std::size_t bytes = 0;
};

// One safe copy: wall seconds, output bytes. (The converters' CPU time cannot be read here: their
// processes are reaped inside the sandbox's PID namespace.)
Cost Copy(const std::string& input, const char* name) {
  const auto start = Clock::now();
  auto copier = SafeCopier::Create(SafeCopyLimits{});
  if (!copier) std::abort();
  MemorySource in(std::span(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
  if (!copier->ReadInput(in).ok()) std::abort();
  MemorySink out;
  auto report = copier->WriteSafeCopy(name, out);
  if (!report) {
    std::fprintf(stderr, "%s: %s\n", name, report.error().message.c_str());
    std::exit(1);
  }
  return {.wall = Seconds(start), .bytes = out.bytes().size()};
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned pages = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 20;
  if (pages == 0) return 2;
  double load = 0;
  if (::getloadavg(&load, 1) == 1) std::printf("load average (1 min) at start: %.2f\n", load);

  // 1. The sandbox alone: bubblewrap building namespaces and mounts around /usr/bin/true.
  char dir[] = "/tmp/safe-copy-bench-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return 1;
  const std::string input = std::string(dir) + "/input";
  if (FILE* f = std::fopen(input.c_str(), "w")) std::fclose(f);
  std::vector<double> starts;
  for (int i = 0; i < 20; ++i) {
    const auto t = Clock::now();
    SandboxRun run{.argv = {"/usr/bin/true"}, .input_path = input, .input_name = "input",
                   .output_dir = dir, .stdout_name = "", .limits = {}};
    auto r = RunInSandbox(run);
    if (!r || !r->ok()) return 1;
    starts.push_back(Seconds(t));
  }
  std::sort(starts.begin(), starts.end());
  std::printf("sandbox start and exit (/usr/bin/true), median of 20: %.1f ms\n", starts[10] * 1000);
  ::unlink(input.c_str());
  ::rmdir(dir);

  // 2. A 12-megapixel photo.
  const std::string ppm = Photo();
  const std::string jpeg = Pipe("/usr/bin/pnmtojpeg -quality=90", ppm);
  const std::string png = Pipe("/usr/bin/pnmtopng", ppm);
  const Cost j = Copy(jpeg, "photo.jpg");
  std::printf("12 MP JPEG (%zu KiB): %.2f s, safe copy %zu KiB\n", jpeg.size() >> 10, j.wall,
              j.bytes >> 10);
  const Cost p = Copy(png, "photo.png");
  std::printf("12 MP PNG (%zu KiB): %.2f s, safe copy %zu KiB\n", png.size() >> 10, p.wall,
              p.bytes >> 10);

  // 3. A typed statement of `pages` A4 pages.
  const std::string pdf = TextPdf(pages);
  const Cost d = Copy(pdf, "statement.pdf");
  std::printf("%u-page A4 text PDF (%zu KiB): %.2f s (%.0f ms a page), safe PDF %zu KiB (%zu KiB a page)\n",
              pages, pdf.size() >> 10, d.wall, d.wall * 1000 / pages, d.bytes >> 10,
              (d.bytes >> 10) / pages);
  return 0;
}
