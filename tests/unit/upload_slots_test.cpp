// UploadSlots: request bodies' share of the connection cap, the per-circuit cap, and dropping the
// slowest trickle to admit a new body (server/http/upload_slots.h).
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "server/http/upload_slots.h"

namespace sealdrop::server {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  UploadSlots::Clock fn() {
    return [this] { return now; };
  }
};

UploadLimits Limits(std::size_t slots, std::size_t per_circuit) {
  return {.slots = slots, .per_circuit = per_circuit, .grace = 5s, .floor_bytes_per_second = 1024};
}

TEST(UploadSlots, DropsTheSlowestTrickleAfterItsGraceToAdmitANewBody) {
  FakeClock clock;
  auto slots = UploadSlots::Create(Limits(3, 2), clock.fn());
  std::vector<int> dropped;
  std::vector<UploadSlots::Ticket> held;
  for (int i = 0; i < 3; ++i) {
    auto a = slots->Admit(std::nullopt, [&dropped, i] { dropped.push_back(i); });
    ASSERT_EQ(a.admission, UploadSlots::Admission::kAdmitted);
    held.push_back(std::move(*a.ticket));
    held.back().Reading();
  }
  held[0].Progress(100);
  held[1].Progress(10);       // the least progress
  held[2].Progress(1 << 20);  // a real upload: far above the floor
  // Within the grace period nothing may be dropped: the new body is refused.
  clock.now += 4s;
  EXPECT_EQ(slots->Admit(std::nullopt, [] {}).admission, UploadSlots::Admission::kFull);
  clock.now += 2s;
  auto fourth = slots->Admit(std::nullopt, [] {});
  EXPECT_EQ(fourth.admission, UploadSlots::Admission::kAdmitted);
  EXPECT_EQ(dropped, std::vector<int>{1});
  EXPECT_EQ(slots->in_use(), 3u);
  // Body 0 trickles too; the fourth is new (in its grace): the next one drops body 0.
  auto fifth = slots->Admit(std::nullopt, [] {});
  EXPECT_EQ(fifth.admission, UploadSlots::Admission::kAdmitted);
  EXPECT_EQ(dropped, (std::vector<int>{1, 0}));
  // Only the real upload and two bodies in their grace are left: nothing can be dropped.
  fourth.ticket->Reading();
  fifth.ticket->Reading();
  EXPECT_EQ(slots->Admit(std::nullopt, [] {}).admission, UploadSlots::Admission::kFull);
}

TEST(UploadSlots, ABodyStillBeingPreparedIsNeverDropped) {
  FakeClock clock;
  auto slots = UploadSlots::Create(Limits(1, 2), clock.fn());
  bool dropped = false;
  auto waiting = slots->Admit(std::nullopt, [&] { dropped = true; });  // no Reading(): e.g. a derivation
  clock.now += 1h;
  EXPECT_EQ(slots->Admit(std::nullopt, [] {}).admission, UploadSlots::Admission::kFull);
  EXPECT_FALSE(dropped);
}

TEST(UploadSlots, CapsBodiesPerCircuitAndGivesSlotsBack) {
  FakeClock clock;
  auto slots = UploadSlots::Create(Limits(10, 2), clock.fn());
  auto a = slots->Admit(7, [] {});
  auto b = slots->Admit(7, [] {});
  ASSERT_TRUE(a.ticket && b.ticket);
  EXPECT_EQ(slots->Admit(7, [] {}).admission, UploadSlots::Admission::kCircuitFull);
  EXPECT_EQ(slots->Admit(8, [] {}).admission, UploadSlots::Admission::kAdmitted)
      << "another circuit; its ticket is given back at once";
  a.ticket.reset();
  EXPECT_EQ(slots->in_use(), 1u);
  EXPECT_EQ(slots->Admit(7, [] {}).admission, UploadSlots::Admission::kAdmitted);
}

}  // namespace
}  // namespace sealdrop::server
