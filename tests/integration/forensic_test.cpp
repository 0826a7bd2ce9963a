// A seized data directory, read as a forensic examiner would (issue 13): after reports,
// follow-ups, replies and deletions on a real server, everything under the data directory — the
// SQLite file byte by byte, its journal, the blob files' names, sizes, inodes and times, the
// directory's order — is read, and must show per item only its force, day and size bucket:
//   - nothing of a deleted item anywhere (its id is in no file; no write-ahead log);
//   - the index's layout is the one its keys alone give (a fresh VACUUM of the same rows lays
//     every id and lookup id at the same offset): no arrival order, no report next to its
//     codename's lookup id, no freed page;
//   - a reporter's upload made no file: each report and follow-up sits in a spare made before
//     the first report arrived (its inode and birth time are the spare's);
//   - every blob file's atime and mtime are one settled value and every ctime is from one pass.
// The rank correlation of each trace with the arrival order is printed (bench figures).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/import_receipt.h"
#include "common/sqlite.h"
#include "crypto/codename.h"
#include "crypto/envelope_writer.h"
#include "journalist_console/bundle/bundle.h"
#include "server/storage/blob_files.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/signed_api_request.h"
#include "tests/support/source_client.h"
#include "tests/support/sqlite_count.h"
#include "tests/support/test_instance.h"

namespace sealdrop {
namespace {

using testing::HttpReply;
using testing::ServerProcess;
using testing::Signed;
using testing::SourceClient;
using testing::TempDir;
using testing::TestInstance;
namespace fs = std::filesystem;

struct FileFacts {
  ino_t inode = 0;
  bool has_btime = false;
  std::int64_t btime_ns = 0, atime_ns = 0, mtime_ns = 0, ctime_ns = 0;
  std::uint64_t size = 0;
};

std::int64_t Ns(const statx_timestamp& t) { return t.tv_sec * 1'000'000'000LL + t.tv_nsec; }

FileFacts Facts(const std::string& path) {
  struct statx sx {};
  EXPECT_EQ(::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME,
                    &sx), 0) << path;
  FileFacts f;
  f.inode = sx.stx_ino;
  f.has_btime = (sx.stx_mask & STATX_BTIME) != 0;
  f.btime_ns = Ns(sx.stx_btime);
  f.atime_ns = Ns(sx.stx_atime);
  f.mtime_ns = Ns(sx.stx_mtime);
  f.ctime_ns = Ns(sx.stx_ctime);
  f.size = sx.stx_size;
  return f;
}

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

// Spearman's rank correlation of `values` (one per item, in arrival order) with arrival order.
double RankCorrelation(const std::vector<double>& values) {
  const std::size_t n = values.size();
  if (n < 3) return 0;
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
  double d2 = 0;
  for (std::size_t rank = 0; rank < n; ++rank) {
    const double d = static_cast<double>(rank) - static_cast<double>(order[rank]);
    d2 += d * d;
  }
  const double nn = static_cast<double>(n);
  return 1 - 6 * d2 / (nn * (nn * nn - 1));
}

// Every offset at which `needle` occurs in `haystack`.
std::vector<std::size_t> Offsets(const std::string& haystack, const std::string& needle) {
  std::vector<std::size_t> at;
  for (std::size_t p = haystack.find(needle); p != std::string::npos;
       p = haystack.find(needle, p + 1)) {
    at.push_back(p);
  }
  return at;
}

std::string Bytes(const std::array<std::uint8_t, 32>& a) { return std::string(a.begin(), a.end()); }

class SeizedDataDirectory : public ::testing::Test {
 protected:
  SeizedDataDirectory()
      : server_(instance_.ServerArgv(SEALDROP_SERVER_BIN, "127.0.0.1:0",
                                     {"--force-listen", "127.0.0.1:0"})) {}

  std::string Blobs() const { return instance_.data_dir() + "/blobs"; }

  // The item ids that appeared since `before`.
  std::vector<std::string> NewItems(const std::vector<std::string>& before) const {
    std::vector<std::string> now = testing::ListItemBlobs(instance_.data_dir()), added;
    std::set_difference(now.begin(), now.end(), before.begin(), before.end(),
                        std::back_inserter(added));
    return added;
  }

  std::string Report(SourceClient& c, int i) {
    EXPECT_EQ(c.Get("/report").status, 200);
    const HttpReply r = c.PostMultipart(
        "/report", {{"csrf", c.csrf()}, {"force", i % 3 == 0 ? "WMI" : "MET"},
                    {"category", "corruption"}, {"role", "officer"},
                    {"what", "report number " + std::to_string(i)},
                    {"file", std::string(static_cast<std::size_t>(100 + 37 * i), 'x'), true,
                     "notes.txt", "text/plain"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return testing::ElementText(r.body, "codename");
  }

  SourceIdentity Identity(const std::string& codename) const {
    const std::string salt = testing::ReadFileOrDie(instance_.data_dir() + "/instance.salt");
    auto id = CodenameDeriver(AsBytes(salt)).Derive(codename);
    EXPECT_TRUE(id.ok());
    return std::move(*id);
  }

  HttpReply Api(const std::string& raw) {
    return SourceClient(server_.force_api_address()).Raw(raw);
  }

  void Reply(const std::string& force, const SourceIdentity& id) {
    const nlohmann::json meta = {{"version", 1}, {"kind", "reply"}, {"force", force},
                                 {"day", TodayUtc()}, {"message", "Thank you."}};
    auto sealed = SealToBytes(std::vector<PublicKey>{id.key_pair.public_key}, meta.dump(),
                              {"reply.txt", "text/plain"}, {});
    ASSERT_TRUE(sealed.ok());
    Signed s = Signed().M("POST").T("/api/v1/replies/" + HexEncode(id.lookup_id)).F(force);
    s.body.assign(sealed->begin(), sealed->end());
    const HttpReply r = Api(s.Raw(instance_.TransferKey(force)));
    ASSERT_EQ(r.status, 201) << r.body;
  }

  void Receipt(const std::string& force, std::vector<std::string> ids) {
    std::sort(ids.begin(), ids.end());
    Signed s;
    s.M("POST").T("/api/v1/receipts").F(force);
    s.body = EncodeImportReceipt({bundle::NewItemId(), force, TodayUtc(), ids});
    const HttpReply r = Api(s.Raw(instance_.TransferKey(force)));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  TestInstance instance_;
  ServerProcess server_;
};

TEST_F(SeizedDataDirectory, ShowsPerItemOnlyForceDayAndSizeAndNothingOfDeletedItems) {
  // The spares the server made at start, before any report.
  std::map<std::string, FileFacts> spares_at_start;
  for (const auto& name : testing::ListDir(Blobs())) spares_at_start[name] = Facts(Blobs() + "/" + name);
  ASSERT_EQ(spares_at_start.size(), server::BlobFiles::kBatch);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::int64_t first_arrival_ns = NowNs();

  // Reports, spaced so that arrival times are far apart compared with one settling pass.
  constexpr int kReporters = 16;
  std::vector<std::string> codenames, arrival;  // `arrival`: every item id, in arrival order
  std::vector<std::string> reports;
  std::vector<std::unique_ptr<SourceClient>> clients;
  for (int i = 0; i < kReporters; ++i) {
    const auto before = testing::ListItemBlobs(instance_.data_dir());
    clients.push_back(std::make_unique<SourceClient>(server_.address()));
    codenames.push_back(Report(*clients.back(), i));
    const auto added = NewItems(before);
    ASSERT_EQ(added.size(), 1u);
    reports.push_back(added[0]);
    arrival.push_back(added[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  // Follow-ups from half of them, and a reply from the force to the other half.
  std::vector<std::string> followups;
  for (int i = 0; i < kReporters; i += 2) {
    SourceClient& c = *clients[static_cast<std::size_t>(i)];
    ASSERT_EQ(c.Get("/login").status, 200);
    ASSERT_EQ(c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", codenames[static_cast<std::size_t>(i)]}}).status, 303);
    ASSERT_EQ(c.Get("/inbox").status, 200);
    const auto before = testing::ListItemBlobs(instance_.data_dir());
    const HttpReply sent = c.PostMultipart("/followup", {{"csrf", c.csrf()}, {"message", "more detail"}});
    ASSERT_EQ(sent.status, 200) << sent.body;
    const auto added = NewItems(before);
    ASSERT_EQ(added.size(), 1u);
    followups.push_back(added[0]);
    arrival.push_back(added[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  std::vector<std::string> replies;
  for (int i = 1; i < kReporters; i += 2) {
    const auto before = testing::ListItemBlobs(instance_.data_dir());
    Reply(i % 3 == 0 ? "WMI" : "MET", Identity(codenames[static_cast<std::size_t>(i)]));
    const auto added = NewItems(before);
    ASSERT_EQ(added.size(), 1u);
    replies.push_back(added[0]);
    arrival.push_back(added[0]);
  }
  // Deletions: the force collects the first six reports and two follow-ups (its receipt), and
  // one reporter deletes the reply they read.
  std::vector<std::string> deleted(reports.begin(), reports.begin() + 6);
  deleted.insert(deleted.end(), followups.begin(), followups.begin() + 2);
  std::map<std::string, std::vector<std::string>> by_force;
  const std::string index_file = instance_.data_dir() + "/index.sqlite";
  for (const auto& id : deleted) {
    by_force[testing::QueryText(index_file, "SELECT force FROM items WHERE id = '" + id + "'")].push_back(id);
  }
  for (const auto& [force, ids] : by_force) Receipt(force, ids);
  {
    SourceClient& c = *clients[1];
    ASSERT_EQ(c.Get("/login").status, 200);
    ASSERT_EQ(c.PostForm("/login", {{"csrf", c.csrf()}, {"codename", codenames[1]}}).status, 303);
    ASSERT_EQ(c.Get("/inbox").status, 200);
    ASSERT_EQ(c.PostForm("/inbox/delete-replies", {{"csrf", c.csrf()}, {"replies", replies[0]}}).status, 200);
    deleted.push_back(replies[0]);
  }
  std::vector<std::string> live;
  for (const auto& id : arrival) {
    if (std::find(deleted.begin(), deleted.end(), id) == deleted.end()) live.push_back(id);
  }
  ASSERT_EQ(testing::ListItemBlobs(instance_.data_dir()).size(), live.size());

  // ---- The seizure: read everything under the data directory, the server still running. ----
  const std::set<std::string> allowed = {"blobs", "index.sqlite", "index.sqlite-journal",
                                         "instance.salt", "form-token.key"};
  for (const auto& name : testing::ListDir(instance_.data_dir())) {
    EXPECT_TRUE(allowed.count(name)) << "unexpected file: " << name;  // no -wal, no -shm
  }
  if (fs::exists(index_file + "-journal")) {
    EXPECT_EQ(fs::file_size(index_file + "-journal"), 0u);
  }

  // The blob files' metadata, read first (reading contents below would set atimes): every
  // file's times are the settled ones, ctimes from one pass.
  std::int64_t ctime_lo = INT64_MAX, ctime_hi = 0;
  std::map<std::string, FileFacts> now;
  for (const auto& name : testing::ListDir(Blobs())) {
    const FileFacts f = Facts(Blobs() + "/" + name);
    now[name] = f;
    EXPECT_EQ(f.mtime_ns, server::BlobFiles::kSettledTime * 1'000'000'000LL) << name;
    EXPECT_EQ(f.atime_ns, server::BlobFiles::kSettledTime * 1'000'000'000LL) << name;
    ctime_lo = std::min(ctime_lo, f.ctime_ns);
    ctime_hi = std::max(ctime_hi, f.ctime_ns);
  }
  EXPECT_LT(ctime_hi - ctime_lo, 500'000'000LL) << "ctimes are not from one settling pass";
  // Nothing of a deleted item, anywhere: no file holds its id, no file has its name.
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(instance_.data_dir())) {
    if (e.is_regular_file()) files.push_back(e.path().string());
  }
  for (const auto& path : files) {
    const std::string bytes = testing::ReadFileOrDie(path);
    for (const auto& id : deleted) {
      EXPECT_EQ(bytes.find(id), std::string::npos) << "deleted item " << id << " in " << path;
      EXPECT_NE(fs::path(path).filename().string(), id);
    }
  }

  // The index's layout is its rows' alone: VACUUM of a copy (which rebuilds every page from the
  // rows in key order) puts every item id and every lookup id at the same offsets. No free page.
  const TempDir scratch;
  const std::string canonical = scratch / "canonical.sqlite";
  fs::copy_file(index_file, canonical);
  {
    auto db = sqlite::Database::Open(canonical, sqlite::OpenMode::kReadWrite, "copy of the index");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA temp_store=MEMORY; VACUUM").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  EXPECT_EQ(testing::QueryCount(index_file, "PRAGMA freelist_count"), 0);
  const std::string seized = testing::ReadFileOrDie(index_file);

  const std::string fresh = testing::ReadFileOrDie(canonical);
  std::vector<std::string> lookups;
  for (const auto& codename : codenames) lookups.push_back(Bytes(Identity(codename).lookup_id));
  for (const auto& id : live) {
    const auto at = Offsets(seized, id);
    EXPECT_FALSE(at.empty()) << id;
    EXPECT_EQ(at, Offsets(fresh, id)) << "item " << id << " lies where its arrival put it";
  }
  for (const auto& lookup : lookups) {
    EXPECT_EQ(Offsets(seized, lookup), Offsets(fresh, lookup)) << "a lookup id lies out of key order";
  }
  // A conversation keeps no day: only the month of its last activity.
  EXPECT_EQ(testing::QueryCount(index_file, "SELECT COUNT(*) FROM sources WHERE active_month = '" +
                                                MonthOf(TodayUtc()) + "'"),
            kReporters);

  // Reports and follow-ups are spares made before the first report: same name, inode and birth
  // time.
  std::vector<std::string> uploads = reports;
  uploads.insert(uploads.end(), followups.begin(), followups.end());
  for (const auto& id : uploads) {
    if (std::find(deleted.begin(), deleted.end(), id) != deleted.end()) continue;
    ASSERT_TRUE(spares_at_start.count(id)) << "an upload made a new file: " << id;
    EXPECT_EQ(now.at(id).inode, spares_at_start.at(id).inode);
    if (now.at(id).has_btime) {
      EXPECT_LT(now.at(id).btime_ns, first_arrival_ns);
    }
  }

  // Figures: how each trace ranks against arrival (near 0: no order to read).
  std::vector<double> inode, ctime, offset, dir_pos;
  const auto listing = [&] {
    std::vector<std::string> order;
    for (const auto& e : fs::directory_iterator(Blobs())) order.push_back(e.path().filename());
    return order;
  }();
  for (const auto& id : live) {
    inode.push_back(static_cast<double>(now.at(id).inode));
    ctime.push_back(static_cast<double>(now.at(id).ctime_ns));
    offset.push_back(static_cast<double>(Offsets(seized, id).front()));
    dir_pos.push_back(static_cast<double>(
        std::find(listing.begin(), listing.end(), id) - listing.begin()));
  }
  const std::set<double> distinct_ctimes(ctime.begin(), ctime.end());
  std::printf("forensic: %zu live items, %zu deleted; rank correlation with arrival: inode %.2f, "
              "index offset %.2f, directory order %.2f; %zu distinct ctimes (spread %.1f ms)\n",
              live.size(), deleted.size(), RankCorrelation(inode), RankCorrelation(offset),
              RankCorrelation(dir_pos), distinct_ctimes.size(),
              static_cast<double>(ctime_hi - ctime_lo) / 1e6);
}

}  // namespace
}  // namespace sealdrop
