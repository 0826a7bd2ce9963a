// Signed-in officers of the web face. A session holds the officer's core session (name, role and
// the unlocked force key, wiped when it goes) behind the console's idle lock (core/idle_lock.h),
// a CSRF token for its forms, the officer's search query and index (opened text, in wiping
// memory, never on disk) and the last safe copy made, in wiping memory until it is downloaded
// and replaced or the session ends. A session idle for the idle period is locked: removed, key and index
// wiped, on its next request or by the sweep that runs every few seconds, whichever comes first. Tokens are 32 random bytes (hex); lookups compare in
// constant time. Single-threaded, like the rest of the web face.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "journalist_console/core/idle_lock.h"
#include "journalist_console/core/officers.h"
#include "journalist_console/web/wiping.h"

namespace sealdrop::console::web {

using Clock = IdleLockedSession::Clock;

// What the officer searched for and what it is searched in: case id -> the opened text of the
// report, its follow-ups and triage notes, lower-cased.
struct SearchState {
  WipingString query;
  std::map<std::string, WipingString> text;
  std::map<std::string, std::string> force_chosen;  // case id -> the force the reporter chose
  bool built = false;
  std::string built_at;  // ConsoleStore::SearchableVersion() when the index was built
  ~SearchState();
};

// The safe copy of an attachment made last in a session (pages_safe_copy.cpp), held in wiping
// memory for its download (GET /downloads/TOKEN) until the session makes the next one, signs out
// or is locked. The token is random and only this session's own token finds it.
struct SafeCopyDownload {
  std::string token;         // RandomToken()
  std::string file_name;     // ExportFileName(): ASCII, no path, for Content-Disposition
  std::string content_type;  // ExportContentType()
  WipingString bytes;
  ~SafeCopyDownload() { WipeString(bytes); }
};

struct Session {
  Session(OfficerSession signed_in, std::chrono::seconds idle, Clock clock)
      : lock(std::move(signed_in), idle, std::move(clock)) {}
  // The officer signed in; only valid for a session SessionTable::Find returned active.
  const OfficerSession& officer() const { return *lock.Current(); }

  IdleLockedSession lock;
  std::string csrf;
  SearchState search;
  std::unique_ptr<SafeCopyDownload> download;  // null: none made (or it was dropped)
};

class SessionTable {
 public:
  SessionTable(std::chrono::seconds idle, Clock clock);

  // A new session; returns its token (the cookie's value).
  std::string Create(OfficerSession signed_in);

  enum class Found { kNone, kLocked, kActive };
  // The session of `token`, refreshed, or why there is none: kLocked when it had gone idle (it
  // is removed now), kNone when it never was (or was signed out).
  Found Find(std::string_view token, Session** session);
  void Remove(std::string_view token);
  // Removes every idle session.
  void Sweep();
  std::chrono::seconds idle() const { return idle_; }

 private:
  std::map<std::string, std::unique_ptr<Session>>::iterator Lookup(std::string_view token);
  std::chrono::seconds idle_;
  Clock clock_;
  std::map<std::string, std::unique_ptr<Session>> sessions_;
  // Tokens of sessions locked by the sweep, so that their next request can say why the officer
  // must sign in again (forgotten after a day).
  std::map<std::string, std::chrono::steady_clock::time_point> locked_;
};

// 32 random bytes as 64 hex digits.
std::string RandomToken();
// Constant-time equality of two tokens (sizes are not secret).
bool TokensEqual(std::string_view a, std::string_view b);

}  // namespace sealdrop::console::web
