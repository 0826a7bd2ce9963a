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

TEST(UploadSlots, DropsTheSlowestTrickleToAdmitANewBody) {
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
  held[0].Progress(4000);     // 800 B/s over the 5 s grace: below the floor
  held[1].Progress(200);      // a new trickle: the least progress
  held[2].Progress(1 << 20);  // a real upload: far above the floor
  clock.now += 1s;
  auto fourth = slots->Admit(std::nullopt, [] {});
  EXPECT_EQ(fourth.admission, UploadSlots::Admission::kAdmitted)
      << "a trickle is not protected for being new";
  EXPECT_EQ(dropped, std::vector<int>{1});
  EXPECT_EQ(slots->in_use(), 3u);
  fourth.ticket->Reading();
  fourth.ticket->Progress(64 * 1024);  // a browser's first read
  auto fifth = slots->Admit(std::nullopt, [] {});
  EXPECT_EQ(fifth.admission, UploadSlots::Admission::kAdmitted);
  EXPECT_EQ(dropped, (std::vector<int>{1, 0}));
  // Left: two uploads above the floor and one not yet read. Nothing can be dropped.
  EXPECT_EQ(slots->Admit(std::nullopt, [] {}).admission, UploadSlots::Admission::kFull);
  // Judged over its whole life once past the grace: the 64 KiB upload that stopped sending
  // falls below the floor after a minute.
  clock.now += 70s;
  held[2].Progress(1 << 20);
  auto sixth = slots->Admit(std::nullopt, [] {});
  EXPECT_EQ(sixth.admission, UploadSlots::Admission::kAdmitted);
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
