// The server index's schema (index.sqlite) and its versions, kept in PRAGMA user_version. Open
// brings any earlier version up to kIndexSchemaVersion in one transaction, and refuses a store
// made by a newer SealDrop rather than guess at it. docs/server.md "The index" lists the
// versions.
//
//   1  (user_version 0) items, sources (lookup_id, force, day, [last_active_day]), used_forms
//   2  sources keep no day: only the month of their last activity (active_month, "YYYY-MM"),
//      so a conversation cannot be matched to a report or follow-up by its day
//   3  sources.record: the reporter's record of what they sent, sealed to their source key
//      (server/source/conversation_record.h), NULL for conversations begun before version 3
#pragma once

#include "common/result.h"
#include "common/sqlite.h"

namespace sealdrop::server {

inline constexpr int kIndexSchemaVersion = 3;

// Creates the current schema in an empty index, or migrates an older one.
Status MigrateIndex(sqlite::Database& db);

}  // namespace sealdrop::server
