#include "server/forceapi/request_auth.h"

#include <charconv>

namespace sealdrop::server {
namespace {

std::string_view Header(const Request& req, std::string_view name) {
  const auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  if (it == req.end()) return {};
  return {it->value().data(), it->value().size()};
}

bool ParseTimestamp(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 12 || (s.size() > 1 && s.front() == '0')) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0;
}

}  // namespace

RequestAuthenticator::RequestAuthenticator(const LiveDirectory& directory, AuthLimits limits,
                                           WallClock clock, std::int64_t started_at)
    : directory_(directory), limits_(limits), clock_(std::move(clock)), started_at_(started_at) {}

Result<PendingAuth> RequestAuthenticator::Begin(const Request& req) const {
  const std::string_view force = Header(req, "X-SealDrop-Force");
  const std::string_view timestamp = Header(req, "X-SealDrop-Timestamp");
  const std::string_view nonce = Header(req, "X-SealDrop-Nonce");
  const std::string_view signature = Header(req, "X-SealDrop-Signature");
  if (force.empty() || timestamp.empty() || nonce.empty() || signature.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "request is not signed");
  }
  PendingAuth auth;
  auth.fields.method = std::string(req.method_string());
  auth.fields.target = std::string(req.target());
  auth.fields.force = std::string(force);
  auth.fields.nonce = std::string(nonce);
  auth.signature = std::string(signature);
  if (!ParseTimestamp(timestamp, auth.fields.timestamp)) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed request timestamp");
  }
  const auto raw_signature = Base64UrlDecode(signature);
  if (!raw_signature || raw_signature->size() != kSignatureBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed request signature");
  }
  if (!CanonicalRequestText(auth.fields)) {
    return MakeError(ErrorCode::kInvalidArgument, "malformed request signature fields");
  }
  const auto directory = directory_.Current();
  auto entry = directory->Find(auth.fields.force);
  if (!entry) return MakeError(ErrorCode::kNotFound, "unknown force");
  auth.transfer_key = (*entry)->transfer_key;
  const std::int64_t now = clock_();
  const std::int64_t skew = auth.fields.timestamp - now;
  if (skew > limits_.max_skew_seconds || -skew > limits_.max_skew_seconds) {
    return MakeError(ErrorCode::kExpired, "request timestamp outside the allowed window");
  }
  if (auth.fields.timestamp <= started_at_) {
    // Its nonce may have been accepted by the process before this one (see the header).
    return MakeError(ErrorCode::kExpired, "request signed before the server started: sign it again");
  }
  std::lock_guard lock(mu_);
  if (Seen(auth.fields.force + " " + auth.fields.nonce)) {
    return MakeError(ErrorCode::kAlreadyExists, "request nonce already used");
  }
  return auth;
}

Status RequestAuthenticator::Finish(PendingAuth& auth, const BodyDigest& body_sha256) {
  auth.fields.body_sha256 = body_sha256;
  if (auto st = VerifyRequestSignature(auth.transfer_key, auth.fields, auth.signature); !st) {
    return MakeError(ErrorCode::kBadSignature, "request signature does not verify");
  }
  const std::int64_t now = clock_();
  std::lock_guard lock(mu_);
  Expire(now);
  const std::string key = auth.fields.force + " " + auth.fields.nonce;
  if (Seen(key)) return MakeError(ErrorCode::kAlreadyExists, "request nonce already used");
  if (nonces_.size() >= limits_.max_remembered_nonces) {
    return MakeError(ErrorCode::kLimitExceeded, "too many requests");
  }
  nonces_.insert(key);
  order_.emplace_back(now + 2 * limits_.max_skew_seconds + 1, key);
  return Status::Ok();
}

bool RequestAuthenticator::Seen(const std::string& key) const { return nonces_.count(key) > 0; }

void RequestAuthenticator::Expire(std::int64_t now) {
  while (!order_.empty() && order_.front().first < now) {
    nonces_.erase(order_.front().second);
    order_.pop_front();
  }
}

}  // namespace sealdrop::server
