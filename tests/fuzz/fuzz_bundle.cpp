// libFuzzer target: the bundle reader (journalist_console/bundle). The input is written to an
// anonymous memory file and opened by path, as the console opens a bundle from removable media;
// every item the manifest lists is then copied out (each is hashed again on the way).
#include <sys/mman.h>
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = memfd_create("bundle", MFD_CLOEXEC);
  if (fd < 0) __builtin_trap();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) __builtin_trap();
    done += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  auto reader = sealdrop::bundle::BundleReader::Open(path);
  if (reader) {
    NullSink sink;
    for (std::size_t i = 0; i < reader->manifest().items.size(); ++i) (void)reader->CopyItem(i, sink);
  }
  ::close(fd);
  return 0;
}
