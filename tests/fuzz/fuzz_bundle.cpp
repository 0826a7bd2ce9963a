// libFuzzer target: the bundle reader (journalist_console/bundle). The input is written to a file
// and opened by path, as the console opens a bundle from removable media (the reader opens only a
// regular file and follows no link, so not a /proc/self/fd link to a memfd); the media page's
// PeekManifest reads it first, then every item the manifest lists is copied out (each is hashed
// again on the way).
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/io.h"
#include "journalist_console/bundle/bundle.h"

namespace {

class NullSink final : public sealdrop::ByteSink {
 public:
  sealdrop::Status Write(std::span<const std::uint8_t>) override { return sealdrop::Status::Ok(); }
};

// One file, in a private directory made at the first input, rewritten for every input.
const std::string& InputPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/sealdrop-fuzz-bundle-XXXXXX";
    if (::mkdtemp(dir) == nullptr) __builtin_trap();
    return std::string(dir) + "/input.bundle";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = InputPath();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) __builtin_trap();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) __builtin_trap();
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  (void)sealdrop::bundle::BundleReader::PeekManifest(path);
  auto reader = sealdrop::bundle::BundleReader::Open(path);
  if (reader) {
    NullSink sink;
    for (std::size_t i = 0; i < reader->manifest().items.size(); ++i) (void)reader->CopyItem(i, sink);
  }
  return 0;
}
