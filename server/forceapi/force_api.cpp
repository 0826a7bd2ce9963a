#include "server/forceapi/force_api.h"

#include <nlohmann/json.hpp>

#include "crypto/envelope_format.h"
#include "server/log.h"

namespace sealdrop::server {
namespace {

constexpr std::string_view kPrefix = "/api/v1/";
// The padded envelope of the longest reply (100,000 bytes of text, 1 MiB of metadata at most)
// is far below this.
constexpr std::uint64_t kMaxReplyEnvelopeBytes = 4u << 20;

Response Json(http::status status, unsigned version, const nlohmann::json& body) {
  Response res{status, version};
  res.set(http::field::content_type, "application/json");
  res.body() = body.dump() + "\n";
  return res;
}

http::status AuthStatus(const Error& e) {
  return e.code == ErrorCode::kInvalidArgument ? http::status::bad_request
         : e.code == ErrorCode::kLimitExceeded ? http::status::service_unavailable
                                               : http::status::unauthorized;
}

std::optional<std::array<std::uint8_t, 32>> LookupFromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<std::uint8_t, 32> out{};
  for (std::size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      const char c = hex[2 * i + static_cast<std::size_t>(k)];
      const int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out[i] = static_cast<std::uint8_t>(v);
  }
  return out;
}

// An uploaded envelope (reply or forward): streamed into an unnamed blob while its SHA-256 is
// computed; the signature is checked at the end, and only then is the item committed.
class EnvelopeUpload final : public BodyHandler {
 public:
  EnvelopeUpload(ForceApiContext& ctx, unsigned version, PendingAuth auth, ItemRow row,
                 std::optional<std::array<std::uint8_t, 32>> move_source, std::string chosen_id)
      : ctx_(ctx), version_(version), auth_(std::move(auth)), row_(std::move(row)),
        move_source_(move_source), chosen_id_(std::move(chosen_id)) {}

  // A reply is text (docs/report.md §5) and is opened in full by the inbox on an I/O thread:
  // it gets a small limit. A forward is a whole report.
  std::uint64_t body_limit() const override {
    return row_.kind == ItemKind::kReply ? kMaxReplyEnvelopeBytes : ctx_.max_upload_bytes;
  }

  void Start(Ready ready) override {
    auto blob = ctx_.store.Begin(chosen_id_);
    if (!blob && blob.error().code == ErrorCode::kAlreadyExists) {
      // Sent before (a repeated push): read and authenticate the body, store nothing.
      duplicate_ = true;
      return ready(std::nullopt);
    }
    if (!blob) {
      log::Error("force api: cannot create a blob");
      return ready(JsonError(http::status::service_unavailable, version_, "cannot store now"));
    }
    blob_.emplace(std::move(*blob));
    ready(std::nullopt);
  }

  Status OnData(std::span<const std::uint8_t> bytes) override {
    hasher_.Update(bytes);
    for (std::size_t i = 0; preamble_.size() < envelope::kPreambleBytes && i < bytes.size(); ++i) {
      preamble_.push_back(bytes[i]);
    }
    size_ += bytes.size();
    if (duplicate_) return Status::Ok();
    return blob_->sink().Write(bytes);
  }

  void Finish(Respond respond) override {
    if (auto st = ctx_.auth.Finish(auth_, hasher_.Final()); !st) {
      log::Warn("force api: upload refused: signature");
      return respond(JsonError(AuthStatus(st.error()), version_, st.error().message));
    }
    if (!envelope::HasEnvelopeShape(preamble_, size_)) {
      return respond(JsonError(http::status::bad_request, version_, "not a sealed envelope"));
    }
    if (duplicate_) {
      auto existing = ctx_.store.Get(chosen_id_);
      if (existing && existing->force == row_.force && existing->kind == row_.kind &&
          existing->size == size_) {
        return respond(Json(http::status::ok, version_, {{"id", chosen_id_}, {"already", true}}));
      }
      return respond(JsonError(http::status::conflict, version_, "item id already used"));
    }
    const bool queued = ctx_.disk_pool.TrySubmit([this, respond] {
      row_.size = size_;
      const std::string id = blob_->id();
      if (auto st = ctx_.store.Commit(std::move(*blob_), row_); !st) {
        log::Error("force api: cannot commit an upload");
        return respond(JsonError(http::status::service_unavailable, version_, "cannot store now"));
      }
      if (move_source_) {
        // The conversation follows the report: the source's follow-ups now go to the new force.
        (void)ctx_.store.MoveSource(*move_source_, auth_.fields.force, row_.force);
      }
      if (row_.kind == ItemKind::kReply) {
        log::Info("force api: reply stored");
      } else {
        log::Info("force api: forward stored");
      }
      respond(Json(http::status::created, version_, {{"id", id}}));
    });
    if (!queued) respond(JsonError(http::status::service_unavailable, version_, "busy"));
  }

  Response ErrorResponse(const Error&) override {
    return JsonError(http::status::service_unavailable, version_, "cannot store now");
  }
  Response TooLarge() override {
    return JsonError(http::status::payload_too_large, version_, "envelope too large");
  }

 private:
  ForceApiContext& ctx_;
  const unsigned version_;
  PendingAuth auth_;
  ItemRow row_;
  std::optional<std::array<std::uint8_t, 32>> move_source_;
  const std::string chosen_id_;
  bool duplicate_ = false;
  std::optional<PendingBlob> blob_;
  BodyHasher hasher_;
  std::vector<std::uint8_t> preamble_;
  std::uint64_t size_ = 0;
};

}  // namespace

Response JsonError(http::status status, unsigned version, std::string_view message) {
  Response res = Json(status, version, {{"error", std::string(message)}});
  if (status == http::status::unauthorized) res.set(http::field::www_authenticate, "SealDrop-Signature");
  return res;
}

Response ForceApi::ErrorPage(http::status status, unsigned version) {
  return JsonError(status, version, std::string(http::obsolete_reason(status)));
}

RouteResult ForceApi::Route(const Request& req, const ConnectionInfo&) {
  const unsigned v = req.version();
  const std::string_view target(req.target().data(), req.target().size());
  if (target.substr(0, kPrefix.size()) != kPrefix) return JsonError(http::status::not_found, v, "not found");
  const std::string_view path = target.substr(kPrefix.size());
  const bool get = req.method() == http::verb::get;
  const bool post = req.method() == http::verb::post;

  auto auth = ctx_.auth.Begin(req);
  if (!auth) {
    log::Warn("force api: request refused: authentication");
    return JsonError(AuthStatus(auth.error()), v, auth.error().message);
  }
  const std::string force = auth->fields.force;
  // Requests without a body are verified now, against the digest of the empty body.
  auto verify_empty = [&]() -> std::optional<Response> {
    const auto length = req.find(http::field::content_length);
    const bool chunked = req.find(http::field::transfer_encoding) != req.end();
    if (chunked || (length != req.end() && length->value() != "0")) {
      return JsonError(http::status::bad_request, v, "this request takes no body");
    }
    if (auto st = ctx_.auth.Finish(*auth, Sha256({})); !st) {
      log::Warn("force api: request refused: signature");
      return JsonError(AuthStatus(st.error()), v, st.error().message);
    }
    return std::nullopt;
  };

  if (get && path == "items") {
    if (auto refused = verify_empty()) return std::move(*refused);
    auto rows = ctx_.store.ListForForce(force);
    if (!rows) return JsonError(http::status::service_unavailable, v, "cannot read the index");
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : *rows) {
      items.push_back({{"id", r.id}, {"kind", ItemKindName(r.kind)}, {"day", r.day}, {"size", r.size}});
    }
    log::Info("force api: items listed");
    return Json(http::status::ok, v, {{"items", items}});
  }

  const bool items_path = path.substr(0, 6) == "items/";
  if (items_path) {
    std::string_view rest = path.substr(6);
    const bool ack = rest.size() > 4 && rest.substr(rest.size() - 4) == "/ack";
    if (ack) rest.remove_suffix(4);
    const std::string id(rest);
    if ((get && !ack) || (post && ack)) {
      if (auto refused = verify_empty()) return std::move(*refused);
      auto row = ctx_.store.Get(id);
      // Another force's item is "not found" too: its existence is not for this force to know.
      if (!row || row->force != force || row->kind == ItemKind::kReply) {
        return JsonError(http::status::not_found, v, "no such item");
      }
      if (get) return FileResponse{ctx_.store.BlobPath(id), "application/octet-stream"};
      if (auto st = ctx_.store.Delete(id); !st) {
        if (st.error().code == ErrorCode::kNotFound) return JsonError(http::status::not_found, v, "no such item");
        return JsonError(http::status::service_unavailable, v, "cannot delete now");
      }
      log::Info("force api: item acknowledged and deleted");
      return Json(http::status::ok, v, {{"deleted", id}});
    }
  }

  // An upload may name its id (docs/force-api.md §1): a repeated push then stores nothing twice.
  std::string chosen_id;
  if (const auto it = req.find("X-SealDrop-Item-Id"); it != req.end()) {
    chosen_id = std::string(it->value());
    if (!IsValidItemId(chosen_id)) return JsonError(http::status::bad_request, v, "malformed item id");
  }

  if (post && path.substr(0, 8) == "replies/") {
    const auto lookup = LookupFromHex(path.substr(8));
    if (!lookup) return JsonError(http::status::not_found, v, "no such source");
    auto source_force = ctx_.store.SourceForce(*lookup);
    if (!source_force) return JsonError(http::status::not_found, v, "no such source");
    ItemRow row{"", force, ctx_.today(), 0, ItemKind::kReply, *lookup};
    return std::make_unique<EnvelopeUpload>(ctx_, v, std::move(*auth), std::move(row), std::nullopt,
                                            chosen_id);
  }

  if (post && path.substr(0, 9) == "forwards/") {
    const std::string to(path.substr(9));
    if (!IsValidForceCode(to) || !ctx_.directory.Find(to)) {
      return JsonError(http::status::bad_request, v, "unknown force");
    }
    std::optional<std::array<std::uint8_t, 32>> move;
    if (const auto it = req.find("X-SealDrop-Source-Ref"); it != req.end()) {
      move = LookupFromHex(std::string_view(it->value().data(), it->value().size()));
      if (!move) return JsonError(http::status::bad_request, v, "malformed source reference");
    }
    ItemRow row{"", to, ctx_.today(), 0, ItemKind::kReport, std::nullopt};
    return std::make_unique<EnvelopeUpload>(ctx_, v, std::move(*auth), std::move(row), move,
                                            chosen_id);
  }
  return JsonError(http::status::not_found, v, "not found");
}

}  // namespace sealdrop::server
