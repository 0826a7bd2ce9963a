// Import receipts: the console's word that it holds a set of the server's items, so that the
// server may delete them. Spec: docs/bundle.md §5 (the document and where an outbox carries
// it) and docs/force-api.md §1 (POST /api/v1/receipts). The one codec: the console writes it,
// the bundle codec checks it, sealdrop-transfer sends it and the server parses it.
//
// A receipt is not signed by itself: it travels inside a bundle (whose trailer digest only
// catches damage) and reaches the server as the body of a force API request, which the
// transfer workstation signs with the force's transfer key (docs/force-api.md §3). That
// signature, its freshness and its nonce are what the server trusts; the receipt's own `force`
// must then name the calling force.
//
// Not key material: it sits in crypto/ beside the other formats the server and the force side
// share (signed_request, report_schema) until those move to common/.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sealdrop {

// At most this many ids in one receipt (about 350 KB of JSON); a console with more to receipt
// sends the rest in its next outbox.
inline constexpr std::size_t kMaxReceiptItems = 10'000;
// Far above the canonical text of kMaxReceiptItems ids: the server's body limit for a receipt.
inline constexpr std::size_t kMaxReceiptBytes = 512 * 1024;

struct ImportReceipt {
  std::string id;                  // 32 lower-case hex digits, random, one per receipt
  std::string force;               // the force whose console imported the items
  std::string day;                 // UTC day the receipt was written, YYYY-MM-DD
  std::vector<std::string> items;  // server item ids: 1..kMaxReceiptItems, sorted, no repeats
};

// True when `r` would encode: every field in its form, items sorted and unique.
bool IsValidImportReceipt(const ImportReceipt& r);
// The canonical JSON text (docs/envelope.md §7.1). REQUIRES: IsValidImportReceipt(r).
std::string EncodeImportReceipt(const ImportReceipt& r);
// Strict: kMalformed unless `text` is exactly the canonical encoding of a valid receipt.
Result<ImportReceipt> ParseImportReceipt(std::string_view text);

}  // namespace sealdrop
