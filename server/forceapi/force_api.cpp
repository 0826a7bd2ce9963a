#include "server/forceapi/force_api.h"

#include <nlohmann/json.hpp>

#include "server/forceapi/envelope_upload.h"
#include "server/forceapi/receipts.h"
#include "server/forceapi/source_refs.h"
#include "server/log.h"

namespace sealdrop::server {
namespace {

constexpr std::string_view kPrefix = "/api/v1/";

}  // namespace

Response JsonOk(http::status status, unsigned version, const nlohmann::json& body) {
  Response res{status, version};
  res.set(http::field::content_type, "application/json");
  res.body() = body.dump() + "\n";
  return res;
}

http::status AuthErrorStatus(const Error& e) {
  return e.code == ErrorCode::kInvalidArgument ? http::status::bad_request
         : e.code == ErrorCode::kLimitExceeded ? http::status::service_unavailable
                                               : http::status::unauthorized;
}

Response JsonError(http::status status, unsigned version, std::string_view message) {
  Response res = JsonOk(status, version, {{"error", std::string(message)}});
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
    log::WarnRepeated("force api: request refused: authentication");
    return JsonError(AuthErrorStatus(auth.error()), v, auth.error().message);
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
      log::WarnRepeated("force api: request refused: signature");
      return JsonError(AuthErrorStatus(st.error()), v, st.error().message);
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
    log::InfoCounted("force api: items listed");
    return JsonOk(http::status::ok, v, {{"items", items}});
  }

  if (get && path.substr(0, 6) == "items/") {
    const std::string id(path.substr(6));
    if (auto refused = verify_empty()) return std::move(*refused);
    auto row = ctx_.store.Get(id);
    // Another force's item is "not found" too: its existence is not for this force to know.
    if (!row || row->force != force || row->kind == ItemKind::kReply) {
      return JsonError(http::status::not_found, v, "no such item");
    }
    return FileResponse{ctx_.store.BlobPath(id), "application/octet-stream"};
  }

  if (post && path == "receipts") return MakeReceiptRequest(ctx_, v, std::move(*auth));

  // An upload may name its id (docs/force-api.md §1): a repeated push then stores nothing twice.
  std::string chosen_id;
  if (const auto it = req.find("X-SealDrop-Item-Id"); it != req.end()) {
    chosen_id = std::string(it->value());
    if (!IsValidItemId(chosen_id)) return JsonError(http::status::bad_request, v, "malformed item id");
  }

  if (post && path.substr(0, 8) == "replies/") {
    const auto lookup = Bytes32FromHex(path.substr(8));
    if (!lookup) return JsonError(http::status::not_found, v, "no such source");
    // Only the force the conversation is with may reply; any other gets the same 404 as for an
    // unknown source, so it cannot even learn that the source exists.
    auto source_force = ctx_.store.SourceForce(*lookup);
    if (!source_force || *source_force != force) return JsonError(http::status::not_found, v, "no such source");
    EnvelopeUpload::Plan plan{{"", force, ctx_.today(), 0, ItemKind::kReply, *lookup},
                              std::nullopt, std::nullopt, chosen_id};
    return std::make_unique<EnvelopeUpload>(ctx_, v, std::move(*auth), std::move(plan));
  }

  if (post && path.substr(0, 9) == "forwards/") {
    const std::string to(path.substr(9));
    if (!IsValidForceCode(to) || !ctx_.directory.Current()->Find(to)) {
      return JsonError(http::status::bad_request, v, "unknown force");
    }
    std::optional<std::array<std::uint8_t, 32>> move;
    if (const auto it = req.find("X-SealDrop-Source-Ref"); it != req.end()) {
      move = Bytes32FromHex(std::string_view(it->value().data(), it->value().size()));
      if (!move) return JsonError(http::status::bad_request, v, "malformed source reference");
    }
    EnvelopeUpload::Plan plan{{"", to, ctx_.today(), 0, ItemKind::kReport, std::nullopt}, move,
                              std::nullopt, chosen_id};
    return std::make_unique<EnvelopeUpload>(ctx_, v, std::move(*auth), std::move(plan));
  }

  if (post && path == "source-refs") return MakeSourceRefRequest(ctx_, v, std::move(*auth));

  if (post && path.substr(0, 7) == "intake/") {
    // intake/CODE/AUTH: a phone report sealed by the call handler's machine to force CODE.
    const std::string_view rest = path.substr(7);
    const auto slash = rest.find('/');
    const std::string to(rest.substr(0, slash));
    if (slash == std::string_view::npos || !IsValidForceCode(to) ||
        !ctx_.directory.Current()->Find(to)) {
      return JsonError(http::status::bad_request, v, "unknown force");
    }
    const auto source_auth = Bytes32FromHex(rest.substr(slash + 1));
    if (!source_auth) return JsonError(http::status::bad_request, v, "malformed source auth value");
    const std::string day = ctx_.today();
    auto lookup = ctx_.deriver.LookupId(*source_auth);
    if (!lookup) return JsonError(http::status::service_unavailable, v, "cannot store now");
    EnvelopeUpload::Plan plan{{"", to, day, 0, ItemKind::kReport, std::nullopt}, std::nullopt,
                              SourceRow{*lookup, to, day}, chosen_id};
    return std::make_unique<EnvelopeUpload>(ctx_, v, std::move(*auth), std::move(plan));
  }
  return JsonError(http::status::not_found, v, "not found");
}

}  // namespace sealdrop::server
