// A raw request to the force API, signed by hand (docs/force-api.md), so that tests can replay,
// age, forge and tamper with one.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "crypto/keys.h"
#include "crypto/signed_request.h"

namespace sealdrop::testing {

struct Signed {
  std::string method = "GET";
  std::string target = "/api/v1/items";
  std::string force = "MET";
  std::int64_t timestamp = static_cast<std::int64_t>(std::time(nullptr));
  std::string nonce = NewRequestNonce();
  std::string body;
  std::string sent_target;  // when set, sent instead of `target` (signature over `target`)

  // Chained setters (designated initializers would need every member named under -Wextra).
  Signed& M(std::string v) { method = std::move(v); return *this; }
  Signed& T(std::string v) { target = std::move(v); return *this; }
  Signed& F(std::string v) { force = std::move(v); return *this; }
  Signed& Ts(std::int64_t v) { timestamp = v; return *this; }
  Signed& N(std::string v) { nonce = std::move(v); return *this; }
  Signed& Sent(std::string v) { sent_target = std::move(v); return *this; }

  std::string Raw(const KeyPair& key) const {
    SignedRequestFields f{method, target, force, timestamp, nonce, Sha256(AsBytes(body))};
    auto signed_ = SignRequest(key, f);
    // A non-canonical field cannot be signed: send a well-formed signature of nothing instead.
    const std::string sig = signed_.ok() ? *signed_ : std::string(86, 'A');
    std::string r = method + " " + (sent_target.empty() ? target : sent_target) +
                    " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    r += "X-SealDrop-Force: " + force + "\r\nX-SealDrop-Timestamp: " + std::to_string(timestamp) +
         "\r\nX-SealDrop-Nonce: " + nonce + "\r\nX-SealDrop-Signature: " + sig + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
  }
};

}  // namespace sealdrop::testing
