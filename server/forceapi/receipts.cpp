#include "server/forceapi/receipts.h"

#include <string>

#include "common/import_receipt.h"
#include "server/log.h"

namespace sealdrop::server {
namespace {

class ReceiptRequest final : public BodyHandler {
 public:
  ReceiptRequest(ForceApiContext& ctx, unsigned version, PendingAuth auth)
      : ctx_(ctx), version_(version), auth_(std::move(auth)) {}

  std::uint64_t body_limit() const override { return kMaxReceiptBytes; }

  Status OnData(std::span<const std::uint8_t> bytes) override {
    hasher_.Update(bytes);
    body_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return Status::Ok();
  }

  void Finish(Respond respond) override {
    if (auto st = ctx_.auth.Finish(auth_, hasher_.Final()); !st) {
      log::WarnRepeated("force api: receipt refused: signature");
      return respond(JsonError(AuthErrorStatus(st.error()), version_, st.error().message));
    }
    auto receipt = ParseImportReceipt(body_);
    if (!receipt) {
      log::WarnRepeated("force api: receipt refused: malformed");
      return respond(JsonError(http::status::bad_request, version_, receipt.error().message));
    }
    if (receipt->force != auth_.fields.force) {
      log::WarnRepeated("force api: receipt refused: another force's");
      return respond(JsonError(http::status::bad_request, version_,
                               "this receipt was written by another force's console"));
    }
    receipt_ = std::move(*receipt);
    // Deleting fsyncs the blob directory: not on an I/O thread.
    if (!ctx_.disk_pool.TrySubmit([this, respond] { Delete(respond); })) {
      respond(JsonError(http::status::service_unavailable, version_, "busy"));
    }
  }

  Response ErrorResponse(const Error&) override {
    return JsonError(http::status::bad_request, version_, "cannot read the request");
  }
  Response TooLarge() override {
    return JsonError(http::status::payload_too_large, version_, "the receipt is too long");
  }

 private:
  void Delete(const Respond& respond) {
    auto outcome = ctx_.store.DeleteReceipted(auth_.fields.force, receipt_.items);
    if (!outcome) {
      log::Error("force api: cannot delete receipted items");
      return respond(JsonError(http::status::service_unavailable, version_, "cannot delete now"));
    }
    log::InfoCounted("force api: receipt honoured");
    respond(JsonOk(http::status::ok, version_,
                   {{"receipt", receipt_.id}, {"deleted", outcome->deleted}, {"gone", outcome->gone}}));
  }

  ForceApiContext& ctx_;
  const unsigned version_;
  PendingAuth auth_;
  BodyHasher hasher_;
  std::string body_;
  ImportReceipt receipt_;
};

}  // namespace

std::unique_ptr<BodyHandler> MakeReceiptRequest(ForceApiContext& ctx, unsigned version,
                                                PendingAuth auth) {
  return std::make_unique<ReceiptRequest>(ctx, version, std::move(auth));
}

}  // namespace sealdrop::server
