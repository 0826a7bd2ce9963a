// sealdrop-console serve end to end: the real binary on 127.0.0.1:0 (and a unix socket) over a
// console store holding imported reports (a pull bundle sealed to the force's key, imported by the
// real CLI). The console's officers are accounts with key slots (tests/support/console_officer.h):
// the supervisor "psd" signs in, lists, filters, searches, opens a case with a follow-up,
// triages, replies and forwards; the CLI then sees the triage, the reply and the outbox item, and
// the audit chain names the officer. An assessor the supervisor added signs in too, the audit
// names both, and once removed they can no longer sign in. Refused: a non-loopback address
// (exit 2), a POST without its CSRF token or from another origin, another Host, and a session
// left idle. The list and search results come 100 to a page. Exports: console_web_exports_test;
// removable media: console_web_media_test; the fixture: console_web_fixture.h.
#include "tests/web/console_web_fixture.h"

namespace sealdrop::web_test {
namespace {

TEST_F(ConsoleWeb, RefusesEveryAddressButLoopbackAndUnixSockets) {
  for (const char* address : {"0.0.0.0:8080", "192.168.1.10:80", "localhost:8080", "[::]:8080",
                                    "127.0.0.2:80", "unix:relative.sock"}) {
    const ProcessResult p = Console({"serve", "--data", P("console"), "--listen", address});
    EXPECT_EQ(p.exit_code, 2) << address << ": " << p.err;
    EXPECT_NE(p.err.find("127.0.0.1:PORT or unix:/PATH"), std::string::npos) << p.err;
    EXPECT_EQ(std::count(p.err.begin(), p.err.end(), '\n'), 1) << p.err;
  }
}

TEST_F(ConsoleWeb, AnOfficerListsFiltersSearchesTriagesRepliesAndForwards) {
  ServerProcess server = Serve("127.0.0.1:0");
  WebClient web(server.address());

  // Signed out: every page leads to sign-in; a wrong passphrase is refused.
  EXPECT_EQ(web.Get("/cases").Header("location"), "/sign-in");
  Reply r = web.Get("/sign-in");
  EXPECT_EQ(r.Header("content-security-policy"),
            "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  EXPECT_EQ(r.Header("x-frame-options"), "DENY");
  EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  r = web.Post("/sign-in", {{"csrf", WebClient::Csrf(r.body)}, {"officer", "psd"},
                            {"passphrase", "not the passphrase"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("The officer name or passphrase is not right"), std::string::npos);
  // An officer who does not exist gets the same answer; the assessor's passphrase is not psd's.
  for (const auto& [name, pass] : std::vector<std::pair<std::string, std::string>>{
           {"nobody", passphrase_}, {"Ada Lovelace", passphrase_}, {"psd", kAssessorPassphrase}}) {
    r = PostSignIn(web, name, pass);
    EXPECT_EQ(r.status, 401) << name;
    EXPECT_NE(r.body.find("The officer name or passphrase is not right"), std::string::npos) << name;
  }

  // Signed in: at risk first, then the case with an unread follow-up, then the rest.
  r = web.Get("/sign-in");
  const Reply in = web.Post("/sign-in", {{"csrf", WebClient::Csrf(r.body)}, {"officer", "psd"},
                                         {"passphrase", passphrase_}});
  ASSERT_EQ(in.status, 303);
  const std::string cookie = in.Header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  r = web.Get("/cases");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("psd"), std::string::npos);
  EXPECT_EQ(CaseLinks(r.body), (std::vector<std::string>{id_b_, id_c_, id_a_}));
  EXPECT_NE(r.body.find("He controls his partner"), std::string::npos);  // the sealed summary, opened
  const std::string csrf = WebClient::Csrf(r.body);

  // Filters, as GET parameters.
  EXPECT_EQ(CaseLinks(web.Get("/cases?category=corruption").body), (std::vector<std::string>{id_c_, id_a_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?at_risk=1").body), (std::vector<std::string>{id_b_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?unread=1").body), (std::vector<std::string>{id_c_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?from=" + testing::DayFromToday(-10)).body),
            (std::vector<std::string>{id_b_, id_c_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?to=" + testing::DayFromToday(-10)).body), (std::vector<std::string>{id_a_}));
  EXPECT_EQ(CaseLinks(web.Get("/cases?force=MET&status=new").body), (std::vector<std::string>{id_b_, id_c_, id_a_}));
  EXPECT_TRUE(CaseLinks(web.Get("/cases?force=WMI").body).empty());

  // Search (a POST: the words never reach a URL) over the opened text, follow-ups included.
  r = web.Post("/search", {{"csrf", csrf}, {"q", "HARROW"}, {"back", "category=corruption"}});
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/cases?category=corruption&search=on");
  EXPECT_EQ(r.Header("location").find("arrow"), std::string::npos);
  r = web.Get(r.Header("location"));
  EXPECT_EQ(CaseLinks(r.body), (std::vector<std::string>{id_c_}));
  EXPECT_NE(r.body.find("harrow"), std::string::npos);
  EXPECT_EQ(CaseLinks(web.Get("/cases?search=on&category=domestic").body), std::vector<std::string>{});

  // The case: report and follow-up in order; opening it reads the follow-up.
  r = web.Get("/cases/" + id_c_);
  ASSERT_EQ(r.status, 200);
  const auto report_at = r.body.find("Takes cash from a nightclub owner.");
  const auto followup_at = r.body.find("The owner is called Harrow.");
  ASSERT_NE(report_at, std::string::npos);
  ASSERT_NE(followup_at, std::string::npos);
  EXPECT_LT(report_at, followup_at);
  EXPECT_NE(r.body.find("New follow-up"), std::string::npos);
  EXPECT_EQ(r.body.find("There is a problem"), std::string::npos);  // no empty error box
  EXPECT_TRUE(CaseLinks(web.Get("/cases?unread=1").body).empty());

  // Triage and reply, by POST with the session's CSRF token.
  const std::string note = "Refer to the anti-corruption unit.";
  r = web.Post("/cases/" + id_c_ + "/triage", {{"csrf", csrf}, {"outcome", "investigate"}, {"note", note}});
  ASSERT_EQ(r.status, 303) << r.body;
  r = web.Post("/cases/" + id_c_ + "/triage", {{"csrf", csrf}, {"outcome", "arrest-them"}, {"note", "x"}});
  EXPECT_EQ(r.status, 400);
  const std::string reply = "Thank you. Can you tell us which nightclub?";
  r = web.Post("/cases/" + id_c_ + "/reply", {{"csrf", csrf}, {"text", reply}});
  ASSERT_EQ(r.status, 303) << r.body;
  r = web.Post("/cases/" + id_c_ + "/reply", {{"csrf", csrf}, {"text", "  \n "}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("The reply is empty"), std::string::npos);
  // The search index, built before the triage and the reply, is rebuilt because they were
  // added (ConsoleStore::SearchableVersion): the note and the reply are searchable now.
  for (const std::string word : {"anti-corruption unit", "which nightclub"}) {
    r = web.Post("/search", {{"csrf", csrf}, {"q", word}, {"back", ""}});
    ASSERT_EQ(r.status, 303);
    EXPECT_EQ(CaseLinks(web.Get(r.Header("location")).body), (std::vector<std::string>{id_c_})) << word;
  }
  r = web.Get("/cases/" + id_c_ + "?done=replied");
  EXPECT_NE(r.body.find("Triage: investigate"), std::string::npos);
  EXPECT_NE(r.body.find("by psd"), std::string::npos);
  EXPECT_NE(r.body.find(reply), std::string::npos);

  // Forward: case A re-sealed to WMI; then only WMI may reply to it.
  r = web.Get("/cases/" + id_a_);
  EXPECT_NE(r.body.find("<option value=\"WMI\">"), std::string::npos);
  EXPECT_EQ(r.body.find("<option value=\"MET\">"), std::string::npos);  // not to itself
  r = web.Post("/cases/" + id_a_ + "/forward", {{"csrf", csrf}, {"to", "WMI"}});
  ASSERT_EQ(r.status, 303) << r.body;
  r = web.Post("/cases/" + id_a_ + "/forward", {{"csrf", csrf}, {"to", "WMI"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("was already forwarded to WMI"), std::string::npos);
  r = web.Post("/cases/" + id_a_ + "/reply", {{"csrf", csrf}, {"text", "Hello"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("only WMI can reply"), std::string::npos);
  EXPECT_NE(web.Get("/cases/" + id_a_).body.find("Forwarded to WMI"), std::string::npos);
  EXPECT_EQ(CaseLinks(web.Get("/cases?status=forwarded").body), (std::vector<std::string>{id_a_}));

  // Statistics: counts and charts with their numbers as text.
  r = web.Get("/stats");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("3 report(s), 1 follow-up(s), 1 with someone at risk"), std::string::npos);
  EXPECT_NE(r.body.find("<svg"), std::string::npos);
  EXPECT_NE(r.body.find("<td>corruption</td><td class=\"n\">2</td>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<td>investigate</td><td class=\"n\">1</td>"), std::string::npos);
  // Time to triage: the one triaged report was triaged on its import day.
  EXPECT_NE(r.body.find("<td>same day</td><td class=\"n\">1</td>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<td>not yet triaged</td><td class=\"n\">2</td>"), std::string::npos);
  EXPECT_NE(r.body.find("waited 0 day(s) or less"), std::string::npos);

  // Refused: no CSRF token, another origin, another Host; nothing changes.
  const long long triages = Count("SELECT COUNT(*) FROM triage");
  EXPECT_EQ(web.Post("/cases/" + id_a_ + "/triage", {{"outcome", "record"}, {"note", "no token"}}).status, 403);
  EXPECT_EQ(web.Post("/cases/" + id_a_ + "/triage", {{"csrf", std::string(64, '0')}, {"outcome", "record"}, {"note", "bad"}}).status, 403);
  EXPECT_EQ(web.Post("/cases/" + id_a_ + "/triage", {{"csrf", csrf}, {"outcome", "record"}, {"note", "x"}},
                     "http://evil.example").status, 403);
  EXPECT_EQ(web.Get("/cases", "evil.example:80").status, 400);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM triage"), triages);

  // Signed out: the cookie no longer opens anything.
  const auto session_cookie = web.cookies()["sdc_session"];
  EXPECT_EQ(web.Post("/sign-out", {{"csrf", csrf}}).status, 303);
  web.cookies()["sdc_session"] = session_cookie;
  EXPECT_EQ(web.Get("/cases").Header("location"), "/sign-in");

  // The CLI sees what the web did; the outbox carries the reply; the audit names the officer.
  ProcessResult p = Console(AsPsd({"show", "--data", P("console"), id_c_}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("investigate (psd): " + note), std::string::npos) << p.out;
  EXPECT_NE(p.out.find(reply), std::string::npos) << p.out;
  p = Console(AsPsd({"outbox", "--data", P("console"), "--out", P("outbox.bundle")}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("2 item(s)"), std::string::npos) << p.out;  // the reply and the forward
  p = Console(AsPsd({"audit", "verify", "--data", P("console")}));
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT action) FROM audit WHERE actor = 'psd' AND action IN "
                  "('sign-in', 'show', 'triage', 'reply', 'forward', 'sign-out')"), 6);

  // Nothing the officer typed, searched for or read is on the console's disk in clear.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(P("console"))) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = testing::ReadFileOrDie(entry.path().string());
    for (const std::string& secret : {note, reply, std::string("Harrow"), std::string("HARROW"),
                                      std::string("harrow"), std::string("nightclub")}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in " << entry.path();
    }
  }

  // Nothing the officer typed or read reached the console's output.
  const int status = server.Stop(SIGTERM);
  EXPECT_EQ(status, 0);
  const std::string err = server.Stderr();
  for (const std::string& secret : {note, reply, passphrase_, std::string("Harrow"), std::string("nightclub")}) {
    EXPECT_EQ(err.find(secret), std::string::npos) << secret;
  }
}

// How many times `needle` occurs in `hay`.
std::size_t Occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// 250 reports on a console of their own: the list and the search results come 100 to a page,
// in the list's order, with every filter kept in the page links.
TEST_F(ConsoleWeb, TheCaseListAndSearchResultsComeAHundredToAPage) {
  const PublicKey& met = instance_->DecryptionKey("MET").public_key;
  const std::string today = testing::DayFromToday(0);
  auto w = bundle::BundleWriter::Create(P("many.bundle"), "pull", "MET", today);
  ASSERT_TRUE(w.ok());
  std::set<std::string> at_risk;
  for (int i = 0; i < 250; ++i) {
    // Odd reports are "domestic" and mention a lantern; every fiftieth is at risk.
    const std::string id = bundle::NewItemId();
    if (i % 50 == 0) at_risk.insert(id);
    char ref[65];
    std::snprintf(ref, sizeof ref, "%064d", i);
    const auto bytes = Seal(met, {{"version", 1}, {"kind", "report"}, {"force", "MET"},
                                  {"day", testing::DayFromToday(-(i % 40))},
                                  {"source", {{"ref", std::string(ref)}, {"key", GenerateKeyPair(KeyRole::kSource).public_key.ToText()}}},
                                  {"category", i % 2 ? "domestic" : "corruption"}, {"at_risk", i % 50 == 0 ? "yes" : "no"},
                                  {"what", "Report " + std::to_string(i) + (i % 2 ? " about a lantern." : " about money.")}});
    MemorySource src(bytes);
    ASSERT_TRUE(w->AddItem({id, "report", today, 0, 0, "", "", ""}, src).ok());
  }
  ASSERT_TRUE(w->Commit().ok());
  ProcessResult p = Console(testing::ConsoleInit(P("many"), key_, instance_->passphrase_file()));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  p = Console(AsPsd({"import", "--data", P("many"), P("many.bundle")}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  ServerProcess server({SEALDROP_CONSOLE_BIN, "serve", "--data", P("many"), "--listen", "127.0.0.1:0"});
  WebClient web(server.address());
  Reply r = SignIn(web, "psd");
  ASSERT_EQ(r.status, 200);
  const std::string csrf = WebClient::Csrf(r.body);

  // Page 1: someone at risk first; a next link only.
  std::vector<std::string> ids = CaseLinks(r.body);
  ASSERT_EQ(ids.size(), 100u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.begin() + 5), at_risk);
  EXPECT_NE(r.body.find("Showing 1–100 of 250 reports."), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<nav class=\"pagination\" aria-label=\"Pagination\">"), std::string::npos);
  EXPECT_NE(r.body.find("Page 1 of 3"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/cases?page=2\" rel=\"next\""), std::string::npos);
  EXPECT_EQ(r.body.find("rel=\"prev\""), std::string::npos);
  // Every case once, over the three pages, in the order of one list.
  std::set<std::string> seen(ids.begin(), ids.end());
  r = web.Get("/cases?page=2");
  EXPECT_NE(r.body.find("Showing 101–200 of 250 reports."), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/cases\" rel=\"prev\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/cases?page=3\" rel=\"next\""), std::string::npos);
  for (const auto& id : CaseLinks(r.body)) seen.insert(id);
  r = web.Get("/cases?page=3");
  const std::vector<std::string> last = CaseLinks(r.body);
  EXPECT_EQ(last.size(), 50u);
  EXPECT_NE(r.body.find("Showing 201–250 of 250 reports."), std::string::npos);
  EXPECT_EQ(r.body.find("rel=\"next\""), std::string::npos);
  seen.insert(last.begin(), last.end());
  EXPECT_EQ(seen.size(), 250u);

  // Filters stay in the page links.
  r = web.Get("/cases?category=corruption&from=" + testing::DayFromToday(-100));
  EXPECT_EQ(CaseLinks(r.body).size(), 100u);
  EXPECT_NE(r.body.find("Showing 1–100 of 125 matching reports (250 in all)."), std::string::npos) << r.body;
  const std::string next = "/cases?category=corruption&from=" + testing::DayFromToday(-100) + "&page=2";
  EXPECT_NE(r.body.find("href=\"/cases?category=corruption&amp;from=" + testing::DayFromToday(-100) +
                        "&amp;page=2\" rel=\"next\""),
            std::string::npos);
  r = web.Get(next);
  EXPECT_EQ(CaseLinks(r.body).size(), 25u);
  EXPECT_EQ(Occurrences(r.body, "<td>corruption</td>"), 25u);
  EXPECT_NE(r.body.find("href=\"/cases?category=corruption&amp;from=" + testing::DayFromToday(-100) +
                        "\" rel=\"prev\""),
            std::string::npos);

  // Search results too, the search switch kept.
  r = web.Post("/search", {{"csrf", csrf}, {"q", "lantern"}, {"back", ""}});
  ASSERT_EQ(r.status, 303);
  r = web.Get(r.Header("location"));
  EXPECT_EQ(CaseLinks(r.body).size(), 100u);
  EXPECT_NE(r.body.find("Showing 1–100 of 125 matching reports (250 in all)."), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/cases?search=on&amp;page=2\" rel=\"next\""), std::string::npos);
  r = web.Get("/cases?search=on&page=2");
  EXPECT_EQ(CaseLinks(r.body).size(), 25u);
  EXPECT_EQ(Occurrences(r.body, "<td>domestic</td>"), 25u);

  // Past the last page, or not a page: 404, saying how many there are, linking the last.
  r = web.Get("/cases?page=4");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("This list has 3 pages: there is no page 4."), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("href=\"/cases?page=3\""), std::string::npos);
  for (const char* bad : {"0", "-1", "x", "02", "99999999"}) {
    EXPECT_EQ(web.Get(std::string("/cases?page=") + bad).status, 404) << bad;
  }
  r = web.Get("/cases?category=corruption&page=3");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("href=\"/cases?category=corruption&amp;page=2\""), std::string::npos);
}

TEST_F(ConsoleWeb, AnIdleSessionIsSignedOutAndItsFormsRefused) {
  ServerProcess server = Serve("127.0.0.1:0", {"--idle-seconds", "1"});
  WebClient web(server.address());
  const Reply list = SignIn(web, "psd");
  ASSERT_EQ(list.status, 200);
  const std::string csrf = WebClient::Csrf(list.body);
  const long long triages = Count("SELECT COUNT(*) FROM triage");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the idle period
  Reply r = web.Post("/cases/" + id_a_ + "/triage", {{"csrf", csrf}, {"outcome", "record"}, {"note", "late"}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/sign-in?locked=1");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM triage"), triages);
  r = web.Get("/sign-in?locked=1");
  EXPECT_NE(r.body.find("You were signed out because the console was not used"), std::string::npos);
  EXPECT_EQ(web.Get("/cases").Header("location"), "/sign-in");
}

TEST_F(ConsoleWeb, ServesOnAUnixSocket) {
  const std::string socket = P("console.sock");
  ServerProcess server = Serve("unix:" + socket);
  EXPECT_EQ(server.address(), "unix:" + socket);
  WebClient web(server.address());
  EXPECT_EQ(SignIn(web, "psd").status, 200);
  EXPECT_EQ(web.Get("/stats").status, 200);
}


// Runs last: it removes the assessor.
TEST_F(ConsoleWeb, ASecondOfficerSignsInWithTheirOwnPassphraseUntilTheSupervisorRemovesThem) {
  ServerProcess server = Serve("127.0.0.1:0");
  WebClient web(server.address());
  // psd's passphrase does not open the assessor's slot.
  EXPECT_EQ(PostSignIn(web, kAssessor, passphrase_).status, 401);
  const Reply list = SignIn(web, kAssessor, kAssessorPassphrase);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(kAssessor), std::string::npos);
  const std::string csrf = WebClient::Csrf(list.body);
  Reply r = web.Post("/cases/" + id_b_ + "/triage", {{"csrf", csrf}, {"outcome", "safeguard"}, {"note", "Call the DA team."}});
  ASSERT_EQ(r.status, 303) << r.body;
  r = web.Get("/cases/" + id_b_);
  EXPECT_NE(r.body.find("by assessor"), std::string::npos);
  EXPECT_EQ(web.Post("/sign-out", {{"csrf", csrf}}).status, 303);
  // Signed in again, in a second browser, before the supervisor removes them (below).
  WebClient open_session(server.address());
  const Reply open_list = SignIn(open_session, kAssessor, kAssessorPassphrase);
  ASSERT_EQ(open_list.status, 200);
  const std::string open_csrf = WebClient::Csrf(open_list.body);

  // The audit verifies and names both officers, each for what they did.
  ProcessResult p = Console(AsPsd({"audit", "verify", "--data", P("console")}));
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE actor = 'assessor' AND action = 'triage'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit WHERE actor = 'assessor' AND action = 'sign-in'"), 2);
  EXPECT_GE(Count("SELECT COUNT(*) FROM audit WHERE actor = 'psd' AND action = 'triage'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM triage WHERE officer = 'assessor'"), 1);

  // Removed by the supervisor: their passphrase no longer unlocks anything, with the same answer
  // as for a wrong passphrase.
  p = Console(AsPsd({"officer", "remove", "--data", P("console"), kAssessor}));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  r = PostSignIn(web, kAssessor, kAssessorPassphrase);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("The officer name or passphrase is not right"), std::string::npos);
  EXPECT_EQ(web.Get("/cases").Header("location"), "/sign-in");
  // The session they held is ended at its next request, and changes nothing.
  const long long triages = Count("SELECT COUNT(*) FROM triage");
  r = open_session.Post("/cases/" + id_a_ + "/triage",
                        {{"csrf", open_csrf}, {"outcome", "record"}, {"note", "after removal"}});
  EXPECT_EQ(r.Header("location"), "/sign-in");
  EXPECT_EQ(open_session.Get("/cases").Header("location"), "/sign-in");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM triage"), triages);
  EXPECT_EQ(SignIn(web, "psd").status, 200);  // the supervisor still can
}

}  // namespace
}  // namespace sealdrop::web_test
