// RequestAuthenticator: the force API's check that a request comes from a force's transfer
// workstation, now, once. Spec: docs/force-api.md §3.
//
// Begin() runs on the request header, before any body byte is read: the four X-SealDrop-*
// headers are present and canonical, the force is in the signed directory and valid today, the
// timestamp is within the allowed skew and the nonce has not been used. Finish() runs with the
// body's SHA-256: the signature must verify, and only then is the nonce remembered (atomically:
// of two requests racing with one nonce, one wins). Remembered nonces expire after twice the
// skew, past which the timestamp check refuses a replay anyway; their number is bounded.
//
// Nonces live in memory only, so a restart forgets them: Begin() also refuses a request signed
// at or before `started_at` (the second the process started), which no earlier process can
// have accepted a nonce after. Durable nonces would do the same at the price of a file on disk
// recording when each force called; a workstation whose clock lags the server's by d seconds
// instead sees its requests refused for d + 1 s after a restart, and sends them again.
//
// Thread-safety: both methods may be called from any thread. The wall clock is injectable.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>

#include "crypto/directory.h"
#include "server/config/live_directory.h"
#include "crypto/signed_request.h"
#include "server/http/http_server.h"

namespace sealdrop::server {

struct PendingAuth {
  SignedRequestFields fields;  // body_sha256 filled in by Finish()
  std::string signature;
  PublicKey transfer_key;
};

struct AuthLimits {
  std::int64_t max_skew_seconds = 300;
  std::size_t max_remembered_nonces = 200000;
};

class RequestAuthenticator {
 public:
  using WallClock = std::function<std::int64_t()>;  // seconds since the Unix epoch
  RequestAuthenticator(const LiveDirectory& directory, AuthLimits limits, WallClock clock,
                       std::int64_t started_at);

  // kInvalidArgument: missing or malformed headers; kNotFound: unknown force;
  // kExpired: stale or future timestamp, or one not after `started_at`;
  // kAlreadyExists: nonce already used.
  Result<PendingAuth> Begin(const Request& request) const;
  // kBadSignature, kAlreadyExists (replay), kLimitExceeded (nonce memory full).
  Status Finish(PendingAuth& auth, const BodyDigest& body_sha256);

 private:
  bool Seen(const std::string& key) const;  // REQUIRES: mu_ held
  void Expire(std::int64_t now);             // REQUIRES: mu_ held

  const LiveDirectory& directory_;
  AuthLimits limits_;
  WallClock clock_;
  std::int64_t started_at_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> nonces_;                  // "FORCE NONCE"
  std::deque<std::pair<std::int64_t, std::string>> order_;  // (expiry, key), oldest first
};

}  // namespace sealdrop::server
