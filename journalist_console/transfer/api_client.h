// ForceApiClient: sealdrop-transfer's side of the force API (docs/force-api.md). Every request
// is signed with the force's transfer key; each goes over a fresh connection, directly or
// through a SOCKS5 proxy (Tor) that resolves the host name. Bodies stream in both directions
// in constant memory. Sockets have send and receive timeouts: nothing waits for ever.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/io.h"
#include "common/result.h"
#include "crypto/keys.h"
#include "crypto/signed_request.h"

namespace sealdrop::transfer {

struct ServerUrl {
  std::string host;
  std::uint16_t port = 80;
};
// "http://HOST[:PORT]" (no path). HOST: letters, digits, '.', '-'.
Result<ServerUrl> ParseServerUrl(std::string_view url);

struct RemoteItem {
  std::string id;
  std::string kind;
  std::string day;
  std::uint64_t size = 0;
};

// Whether an Upload error is the server refusing this very item, so that sending the same bytes
// again would get the same answer (docs/force-api.md §1): 400, 404, 409, 413.
bool IsLastingRefusal(const Error& upload_error);

class ForceApiClient {
 public:
  // `socks`: "HOST:PORT" of a SOCKS5 proxy (Tor's SocksPort), or empty for a direct connection.
  // A ".onion" server needs a proxy.
  static Result<ForceApiClient> Create(const std::string& server_url, const std::string& socks,
                                       std::string force, const KeyPair* transfer_key);

  Result<std::vector<RemoteItem>> List();
  // Streams item `id` (exactly `size` bytes) into `sink`.
  Status Download(const std::string& id, std::uint64_t size, ByteSink& sink);
  struct ReceiptResult {
    std::uint64_t deleted = 0;  // items the server deleted now
    std::uint64_t gone = 0;     // ids it no longer held (an earlier receipt deleted them)
  };
  // Sends an import receipt (its canonical text, docs/bundle.md §5) to POST /api/v1/receipts.
  Result<ReceiptResult> SendReceipt(const std::string& receipt);
  struct UploadResult {
    std::string id;
    bool already = false;  // the server had it from an earlier push
    std::string body;      // the server's JSON answer
  };
  // POSTs `size` bytes from `body` (whose SHA-256 is `sha256`) to `target`. `item_id` and
  // `source_ref` become X-SealDrop-Item-Id and X-SealDrop-Source-Ref unless empty.
  // Errors: the server's answers 400, 404, 409 and 413 as kMalformed, kNotFound, kAlreadyExists
  // and kLimitExceeded (IsLastingRefusal); 401 as kBadSignature; no answer, 5xx and anything
  // else as kIo; an error reading `body` as it was (kIo, kTruncated, kPayloadCorrupt).
  Result<UploadResult> Upload(const std::string& target, ByteSource& body, std::uint64_t size,
                              const BodyDigest& sha256, const std::string& item_id,
                              const std::string& source_ref);

 private:
  ForceApiClient(ServerUrl server, std::optional<ServerUrl> socks, std::string force,
                 const KeyPair* key)
      : server_(std::move(server)), socks_(std::move(socks)), force_(std::move(force)), key_(key) {}
  struct Exchange;
  ServerUrl server_;
  std::optional<ServerUrl> socks_;
  std::string force_;
  const KeyPair* key_;
};

}  // namespace sealdrop::transfer
