// The force API: the second listener of sealdrop-server, reached only through the force onion
// service (Tor client authorisation) and, on top of that, by requests signed with a force's
// transfer key. Spec: docs/force-api.md.
//
//   GET  /api/v1/items                 the force's pending reports and follow-ups (JSON)
//   GET  /api/v1/items/ID              one sealed item (application/octet-stream)
//   POST /api/v1/receipts              an import receipt: the force's console holds these
//                                      items, the server deletes them (rows, then blobs)
//   POST /api/v1/replies/REF           a sealed reply for the source with lookup id REF
//   POST /api/v1/forwards/CODE         a report re-sealed to force CODE
//   POST /api/v1/source-refs           phone intake: the lookup id of a codename's auth value
//   POST /api/v1/intake/CODE/AUTH      phone intake: a report sealed to force CODE by the
//                                      caller's machine, registering the codename with auth AUTH
//
// A force sees, fetches and receipts only its own items: any other id is "not found" (a
// receipt: "gone"), the same answer as an id that does not exist.
#pragma once

#include "server/config/live_directory.h"

#include <nlohmann/json.hpp>

#include "crypto/codename.h"
#include "server/kdf/source_deriver.h"
#include "server/forceapi/request_auth.h"
#include "server/http/http_server.h"
#include "server/storage/store.h"
#include "server/util/disk_space.h"
#include "server/util/worker_pool.h"

namespace sealdrop::server {

struct ForceApiContext {
  const LiveDirectory& directory;  // Current(): a snapshot, held while its entries are used
  SealedStore& store;
  RequestAuthenticator& auth;
  WorkerPool& disk_pool;
  const SourceDeriver& deriver;  // lookup ids of phone reports (holds the instance secret)
  std::uint64_t max_upload_bytes;  // one uploaded envelope
  std::function<std::string()> today = TodayUtc;
  // The disk reserve of uploads through this API (replies, forwards, phone reports): smaller
  // than reporters', so that replies still land when reports are refused (docs/server.md
  // "Storage budgets"). Unset: no reserve (tests). Receipts never check it: deleting frees room.
  FreeBytesReader free_bytes = nullptr;
  std::uint64_t reserve_bytes = 0;
};

class ForceApi : public Router {
 public:
  explicit ForceApi(ForceApiContext& ctx) : ctx_(ctx) {}
  RouteResult Route(const Request& request, const ConnectionInfo& connection) override;
  Response ErrorPage(http::status status, unsigned version) override;

 private:
  ForceApiContext& ctx_;
};

// {"error": message} with `status`.
Response JsonError(http::status status, unsigned version, std::string_view message);
// `body` as JSON with `status`.
Response JsonOk(http::status status, unsigned version, const nlohmann::json& body);
// The status for a refused signature: 400 malformed, 503 nonce store full, else 401.
http::status AuthErrorStatus(const Error& e);

}  // namespace sealdrop::server
