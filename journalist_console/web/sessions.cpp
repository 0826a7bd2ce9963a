#include "journalist_console/web/sessions.h"

#include <sodium.h>

namespace sealdrop::console::web {

SearchState::~SearchState() {
  WipeString(query);
  for (auto& [id, t] : text) WipeString(t);
}

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(hex, 64);
}

bool TokensEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionTable::SessionTable(std::chrono::seconds idle, Clock clock) : idle_(idle), clock_(std::move(clock)) {}

std::string SessionTable::Create(OfficerSession signed_in) {
  auto s = std::make_unique<Session>(std::move(signed_in), idle_, clock_);
  s->csrf = RandomToken();
  std::string token = RandomToken();
  sessions_.emplace(token, std::move(s));
  return token;
}

std::map<std::string, std::unique_ptr<Session>>::iterator SessionTable::Lookup(std::string_view token) {
  // Every token is compared, in constant time: the map's ordering would leak prefixes.
  auto found = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (TokensEqual(it->first, token)) found = it;
  }
  return found;
}

SessionTable::Found SessionTable::Find(std::string_view token, Session** session) {
  *session = nullptr;
  const auto it = Lookup(token);
  if (it == sessions_.end()) {
    for (auto l = locked_.begin(); l != locked_.end(); ++l) {
      if (!TokensEqual(l->first, token)) continue;
      locked_.erase(l);
      return Found::kLocked;
    }
    return Found::kNone;
  }
  if (it->second->lock.Use() == nullptr) {  // idle too long: locked, key wiped
    sessions_.erase(it);
    return Found::kLocked;
  }
  *session = it->second.get();
  return Found::kActive;
}

void SessionTable::Remove(std::string_view token) {
  const auto it = Lookup(token);
  if (it != sessions_.end()) sessions_.erase(it);
}

void SessionTable::Sweep() {
  const auto now = clock_();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->lock.Locked()) {
      locked_.emplace(it->first, now);
      it = sessions_.erase(it);  // the key and the search index are wiped here
    } else {
      ++it;
    }
  }
  std::erase_if(locked_, [&](const auto& entry) { return now - entry.second > std::chrono::hours(24); });
}

}  // namespace sealdrop::console::web
