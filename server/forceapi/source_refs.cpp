#include "server/forceapi/source_refs.h"

#include <string>

#include "server/log.h"

namespace sealdrop::server {
namespace {

class SourceRefRequest final : public BodyHandler {
 public:
  SourceRefRequest(ForceApiContext& ctx, unsigned version, PendingAuth auth)
      : ctx_(ctx), version_(version), auth_(std::move(auth)) {}

  // 64 hex digits and an optional line end.
  std::uint64_t body_limit() const override { return 66; }

  Status OnData(std::span<const std::uint8_t> bytes) override {
    hasher_.Update(bytes);
    body_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return Status::Ok();
  }

  void Finish(Respond respond) override {
    if (auto st = ctx_.auth.Finish(auth_, hasher_.Final()); !st) {
      log::WarnRepeated("force api: source reference refused: signature");
      return respond(JsonError(AuthErrorStatus(st.error()), version_, st.error().message));
    }
    std::string_view text = body_;
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    const auto auth = Bytes32FromHex(text);
    if (!auth) {
      return respond(JsonError(http::status::bad_request, version_,
                               "the body must be a source auth value: 64 lower-case hex digits"));
    }
    auto lookup = ctx_.deriver.LookupId(*auth);
    if (!lookup) return respond(JsonError(http::status::service_unavailable, version_, "cannot do that now"));
    log::InfoCounted("force api: source reference made");
    respond(JsonOk(http::status::ok, version_, {{"ref", HexEncode(*lookup)}}));
  }

  Response ErrorResponse(const Error&) override {
    return JsonError(http::status::bad_request, version_, "cannot read the request");
  }
  Response TooLarge() override {
    return JsonError(http::status::payload_too_large, version_, "the body is too long");
  }

 private:
  ForceApiContext& ctx_;
  const unsigned version_;
  PendingAuth auth_;
  BodyHasher hasher_;
  std::string body_;
};

}  // namespace

std::unique_ptr<BodyHandler> MakeSourceRefRequest(ForceApiContext& ctx, unsigned version,
                                                  PendingAuth auth) {
  return std::make_unique<SourceRefRequest>(ctx, version, std::move(auth));
}

}  // namespace sealdrop::server
