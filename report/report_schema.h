// The forms a reporter fills in and the sealed metadata they become. Spec: docs/report.md.
// Shared by the server (web forms) and sealdrop-intake (phone reports): one codec.
//
// Each form is a fixed list of fields with a size limit and, for choices, the allowed values.
// FieldCollector checks each value as it completes (known name, not repeated, within its limit,
// UTF-8 without NUL, an allowed choice) so a bad form fails at the first bad field, before any
// file is sealed. Values are secret: they go only into the envelope's metadata, never a log.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/language.h"
#include "common/result.h"
#include "crypto/codename.h"
#include "crypto/keys.h"

namespace sealdrop {

struct FieldRule {
  std::string_view name;
  std::size_t max_bytes;
  std::span<const std::string_view> choices;  // empty: free text
};

// The report form's fields (docs/report.md §2), without csrf and the file inputs.
std::span<const FieldRule> ReportFormFields();
// The follow-up form's fields.
std::span<const FieldRule> FollowUpFormFields();
// The follow-up form with a `codename` field (docs/report.md §4), for a reporter whose login ended.
std::span<const FieldRule> FollowUpWithCodenameFormFields();

// True when `text` is empty or only spaces, tabs and line ends (after CRLF → LF).
bool IsBlankText(std::string_view text);

// Total bytes of all text fields of one form.
inline constexpr std::size_t kMaxFormTextBytes = 512 * 1024;

class FieldCollector {
 public:
  explicit FieldCollector(std::span<const FieldRule> rules) : rules_(rules) {}
  // Wipes every value: they are a reporter's words (and, on one form, their codename).
  ~FieldCollector();
  FieldCollector(const FieldCollector&) = delete;
  FieldCollector& operator=(const FieldCollector&) = delete;
  // Checks and keeps one field. CRLF line ends become LF. Errors: kInvalidArgument (unknown or
  // repeated field, NUL, invalid UTF-8, not an allowed choice), kLimitExceeded (too long).
  Status Add(std::string_view name, std::string value);
  // The value, or "" when the field was not sent.
  std::string_view Get(std::string_view name) const;
  // The rule for `name`, if the form has such a field.
  const FieldRule* RuleFor(std::string_view name) const;

 private:
  std::span<const FieldRule> rules_;
  std::map<std::string, std::string, std::less<>> values_;
  std::size_t total_bytes_ = 0;
};

// Who sent it, as sealed inside the envelope so that the force can reply: the lookup id (the
// "source reference" replies are addressed to) and the source public key.
struct SourceRef {
  std::array<std::uint8_t, kLookupIdBytes> lookup_id;
  PublicKey key;
};

// The canonical metadata JSON of a report (docs/report.md §3). `language`: the one the reporter
// used the service in (a phone report's: English unless told). Fails with kInvalidArgument when
// a required field is missing ("what").
Result<std::string> ReportMetadataJson(const FieldCollector& fields, std::string_view force,
                                       std::string_view day, const SourceRef& source,
                                       Language language = Language::kEnglish);
// The canonical metadata JSON of a follow-up message.
Result<std::string> FollowUpMetadataJson(const FieldCollector& fields, std::string_view force,
                                         std::string_view day, const SourceRef& source);

// A file name as a browser sends it (or sealdrop-intake takes from a path), checked: 1..255 bytes
// of UTF-8 without '/', '\', NUL or other control characters, and not "." or "..". Anything
// else is refused (kInvalidArgument): a browser never sends such a name.
Status CheckUploadFileName(std::string_view name);

}  // namespace sealdrop
