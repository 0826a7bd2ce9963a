// What the seized-disk protections cost a report (issue 13): one report's commit into a server
// index that already holds N conversations — fsync of the envelope, the SQLite transaction, the
// VACUUM that follows every change, and settling every blob file's times — against N.
//   cmake --build --preset release --target store_commit && build/release/bench/store_commit
// Prints, per N, the median and slowest of 20 commits (each a report with a new conversation).
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/sqlite.h"
#include "server/storage/store.h"

using namespace sealdrop;
using namespace sealdrop::server;

namespace {

// N conversations written straight into the index, in one transaction (as a year of reports
// would leave it, VACUUMed).
bool Fill(const std::string& dir, int n) {
  auto db = sqlite::Database::Open(dir + "/index.sqlite", sqlite::OpenMode::kReadWrite, "bench");
  if (!db || !db->Exec("BEGIN").ok()) return false;
  const std::string month = MonthOf(TodayUtc());
  for (int i = 0; i < n; ++i) {
    auto q = db->Prepare("INSERT INTO sources (lookup_id, force, active_month) VALUES (?, 'MET', ?)");
    std::array<std::uint8_t, 32> id{};
    randombytes_buf(id.data(), id.size());
    if (!q || !q->Bind(1, id).Bind(2, month).Run().ok()) return false;
  }
  return db->Exec("COMMIT; VACUUM").ok() && db->Close().ok();
}

}  // namespace

int main() {
  if (sodium_init() < 0) return 1;
  std::printf("conversations   commit median   commit slowest   index size\n");
  for (const int n : {1000, 10000, 100000}) {
    const std::string dir = std::filesystem::temp_directory_path() / ("sealdrop-bench-" + std::to_string(n));
    std::filesystem::remove_all(dir);
    { auto store = SealedStore::Open(dir); if (!store) return 1; }
    if (!Fill(dir, n)) {
      std::fprintf(stderr, "store_commit: cannot fill the index\n");
      return 1;
    }
    auto store = SealedStore::Open(dir);
    if (!store) return 1;
    std::vector<double> ms;
    const std::string envelope(131252, 'x');  // a small report's sealed size
    for (int i = 0; i < 20; ++i) {
      ItemRow row{"", "MET", TodayUtc(), envelope.size(), ItemKind::kReport, std::nullopt};
      SourceRow source{{}, "MET", TodayUtc()};
      randombytes_buf(source.lookup_id.data(), source.lookup_id.size());
      const auto t0 = std::chrono::steady_clock::now();
      auto blob = (*store)->Begin();
      if (!blob || !blob->sink().Write(AsBytes(envelope)).ok()) return 1;
      if (!(*store)->Commit(std::move(*blob), row, &source).ok()) return 1;
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%13d   %10.1f ms   %11.1f ms   %7.1f MiB\n", n, ms[ms.size() / 2], ms.back(),
                static_cast<double>(std::filesystem::file_size(dir + "/index.sqlite")) / (1 << 20));
    store->reset();
    std::filesystem::remove_all(dir);
  }
  return 0;
}
