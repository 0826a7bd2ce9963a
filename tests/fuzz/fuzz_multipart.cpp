// libFuzzer target: the multipart/form-data parser (server/multipart). The first input byte
// chooses how the rest is split into Feed() calls, so delimiter detection across any split is
// exercised; the boundary is fixed. Every outcome must be a value, never a crash or a leak.
#include <cstddef>
#include <cstdint>
#include <span>

#include "server/multipart/multipart_parser.h"

namespace {

using sealdrop::Status;
using sealdrop::server::MultipartHandler;
using sealdrop::server::PartHeaders;

class CountingHandler final : public MultipartHandler {
 public:
  Status OnPartBegin(const PartHeaders& headers) override {
    bytes_ += headers.name.size() + (headers.filename ? headers.filename->size() : 0);
    return Status::Ok();
  }
  Status OnPartData(std::span<const std::uint8_t> data) override {
    bytes_ += data.size();
    return Status::Ok();
  }
  Status OnPartEnd() override { return Status::Ok(); }
  std::size_t bytes_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 97;
  std::span<const std::uint8_t> body(data + 1, size - 1);
  // The Content-Type parser too: the first line of the body, as a header value.
  std::size_t eol = 0;
  while (eol < body.size() && eol < 200 && body[eol] != '\n') ++eol;
  (void)sealdrop::server::MultipartBoundary(
      std::string_view(reinterpret_cast<const char*>(body.data()), eol));

  CountingHandler handler;
  sealdrop::server::MultipartParser parser("sealdropfuzzboundary", handler);
  while (!body.empty()) {
    const std::size_t n = body.size() < step ? body.size() : step;
    if (!parser.Feed(body.first(n))) return 0;
    body = body.subspan(n);
  }
  (void)parser.Finish();
  return 0;
}
