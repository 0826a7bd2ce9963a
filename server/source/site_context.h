// What the source interface's routes share: the verified force directory, the sealed store,
// sessions, the worker pools and the limits. Owned by main(); every reference outlives the
// server.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "crypto/codename.h"
#include "server/kdf/source_deriver.h"
#include "crypto/directory.h"
#include "server/config/live_directory.h"
#include "server/source/circuit_limiter.h"
#include "server/source/form_token.h"
#include "server/source/login_throttle.h"
#include "server/source/session_store.h"
#include "server/source/storage_budget.h"
#include "server/storage/store.h"
#include "server/util/worker_pool.h"

namespace sealdrop::server {

struct SiteLimits {
  std::uint64_t max_upload_bytes = 2ull << 30;  // a whole report or follow-up, all files
  std::uint64_t max_small_form_bytes = 4096;    // login and log-out forms
};

struct SiteContext {
  const LiveDirectory& directory;  // Current(): a snapshot, held while its entries are used
  SealedStore& store;
  SessionStore& sessions;
  WorkerPool& kdf_pool;   // Argon2id codename derivations
  WorkerPool& disk_pool;  // finishing envelopes: padding, fsync, commit
  const SourceDeriver& deriver;  // Argon2id derivations (helper processes in production)
  LoginThrottle& login_throttle;
  CircuitLimiter& circuit_limiter;
  const FormTokens& form_tokens;  // the report form's stateless tokens
  SiteLimits limits;
  // Today's UTC day, "YYYY-MM-DD" (injectable for tests).
  std::function<std::string()> today = TodayUtc;
  // Reporters' storage budgets and disk reserve; null: none (unit tests).
  StorageBudget* storage_budget = nullptr;
  // Requests that did not come through the onion get a warning (onion_check.h).
  std::string onion_hostname = {};  // "" : not configured
  bool behind_tor = false;     // source_proxy_protocol: every request should name a .onion
};

}  // namespace sealdrop::server
