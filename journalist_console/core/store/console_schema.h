// The console database's schema (console.sqlite) and its versions, kept in PRAGMA user_version.
// Open brings an older console up to kConsoleSchemaVersion in one transaction and refuses one
// made by a newer SealDrop (docs/console.md "Files").
//
//   1  (user_version 0) meta, cases, triage, outbox, audit
//   2  + followup_unread, risk_raised, delivery, push_results_read, imported: a console of
//        version 1 gains them empty (its follow-ups count as read; its imports were deleted from
//        the server when pulled, so nothing is owed a receipt)
//   3  + officers: the register of officer accounts (their key slots are in DIR/keyslots), and
//        triage.officer (who recorded it; '' for earlier rows). A
//        console of version 2 gains it empty and is unlocked by its old key file once, by
//        `officer init`, which makes its first supervisor (docs/console.md §5)
#pragma once

#include "common/result.h"
#include "common/sqlite.h"

namespace sealdrop::console {

inline constexpr int kConsoleSchemaVersion = 3;

// A new console: every table of the current version.
Status CreateConsoleSchema(sqlite::Database& db);
// An existing console: migrated up to the current version, or refused if newer.
Status MigrateConsole(sqlite::Database& db);

}  // namespace sealdrop::console
