// HelperDeriver: codename derivations in separate helper processes (privilege separation in the
// manner of OpenSSH's). sealdrop-server forks them at start, before any thread or socket exists:
// each helper holds a copy of the instance secret, closes every other descriptor and answers
// requests on its own SOCK_SEQPACKET socket, one at a time. So
//   - the process that parses network input keeps only what a request needs (a derived
//     identity, for a logged-in session), and its memory stays small: Argon2id's 64 MiB are
//     allocated in a helper, never in the network process;
//   - a helper that runs out of memory costs one 503, not the server.
// Helpers die with the server (PR_SET_PDEATHSIG) and exit when their socket closes.
//
// Protocol (one datagram each way, docs/server.md "Derivation helpers"):
//   'D' codename (≤ 512 bytes)  →  status (0 ok, 1 malformed, 2 no memory)  lookup ‖ public ‖ secret
//   'L' auth (32 bytes)         →  status 0  lookup
//
// Thread-safety: Derive and LookupId may be called from any thread; a call waits for a free
// helper. One helper serves only LookupId, so a lookup never waits behind an Argon2id.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "server/kdf/source_deriver.h"

namespace sealdrop::server {

class HelperDeriver final : public SourceDeriver {
 public:
  // Forks `derive_helpers` (≥ 1) derivation helpers and one lookup helper.
  // REQUIRES: no other thread is running (fork in a threaded process would copy held locks).
  static Result<std::unique_ptr<HelperDeriver>> Spawn(std::span<const std::uint8_t> instance_secret,
                                                      std::size_t derive_helpers);
  ~HelperDeriver() override;

  Result<SourceIdentity> Derive(std::string_view typed_codename) const override;
  Result<std::array<std::uint8_t, kLookupIdBytes>> LookupId(
      const std::array<std::uint8_t, kSourceAuthBytes>& auth) const override;

 private:
  HelperDeriver() = default;
  // Sends `request` to helper `fd` and reads its answer into `answer`; returns its length.
  static Result<std::size_t> Exchange(int fd, std::span<const std::uint8_t> request,
                                      std::span<std::uint8_t> answer);

  std::vector<int> derive_fds_;
  int lookup_fd_ = -1;
  std::vector<int> pids_;
  mutable std::mutex mu_;
  mutable std::condition_variable free_cv_;
  mutable std::vector<int> free_;  // derive helpers not in use
  mutable std::mutex lookup_mu_;
};

}  // namespace sealdrop::server
