// EnvelopeUpload: a sealed envelope a force uploads (a reply, a forward, a phone report) is
// streamed into a spare blob file while its SHA-256 is computed; the request signature is checked
// over that digest at the end, and only then is the item committed (with the source it
// registers, if any, in the same transaction). Spec: docs/force-api.md.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "server/forceapi/force_api.h"

namespace sealdrop::server {

class EnvelopeUpload final : public BodyHandler {
 public:
  struct Plan {
    ItemRow row;                                               // force, day, kind (+ lookup id)
    std::optional<std::array<std::uint8_t, 32>> move_source;  // forwards: the conversation moves
    std::optional<SourceRow> new_source;                      // phone reports: a new codename
    std::string chosen_id;                                     // X-SealDrop-Item-Id, or empty
  };
  EnvelopeUpload(ForceApiContext& ctx, unsigned version, PendingAuth auth, Plan plan)
      : ctx_(ctx), version_(version), auth_(std::move(auth)), plan_(std::move(plan)) {}

  std::uint64_t body_limit() const override;
  void Start(Ready ready) override;
  Status OnData(std::span<const std::uint8_t> bytes) override;
  void Finish(Respond respond) override;
  Response ErrorResponse(const Error&) override;
  Response TooLarge() override;

 private:
  void Commit(Respond respond);
  // True when `bytes` more keep the force API's disk reserve free.
  bool LeavesReserve(std::uint64_t bytes) const;

  ForceApiContext& ctx_;
  const unsigned version_;
  PendingAuth auth_;
  Plan plan_;
  bool duplicate_ = false;
  bool disk_full_ = false;
  std::optional<PendingBlob> blob_;
  BodyHasher hasher_;
  std::vector<std::uint8_t> preamble_;
  std::uint64_t size_ = 0;
};

}  // namespace sealdrop::server
