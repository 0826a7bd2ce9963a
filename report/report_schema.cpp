#include "report/report_schema.h"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "common/language.h"
#include "common/utf8.h"

namespace sealdrop {
namespace {

using namespace std::string_view_literals;

constexpr std::size_t kShort = 200;
constexpr std::size_t kMedium = 500;
constexpr std::size_t kLong = 100'000;
constexpr std::size_t kChoice = 32;

constexpr std::array kCategories = {"corruption"sv, "personal_advantage"sv, "sexual"sv,
                                    "domestic"sv,   "discrimination"sv,     "other"sv};
constexpr std::array kRoles = {"officer"sv, "staff"sv, "volunteer"sv, "unknown"sv};
constexpr std::array kDuty = {"on"sv, "off"sv, "unknown"sv};
constexpr std::array kSetting = {"in_person"sv, "online"sv, "both"sv, "unknown"sv};
constexpr std::array kAtRisk = {"yes"sv, "no"sv, "unknown"sv};
constexpr std::array kContact = {"anonymous"sv, "details"sv};

// In form order. `force` is checked against the signed directory by the caller.
const std::array kReportFields = {
    FieldRule{"force", 16, {}},
    FieldRule{"category", kChoice, kCategories},
    FieldRule{"role", kChoice, kRoles},
    FieldRule{"subject_name", kShort, {}},
    FieldRule{"subject_number", 50, {}},
    FieldRule{"subject_description", kLong, {}},
    FieldRule{"what", kLong, {}},
    FieldRule{"when", kMedium, {}},
    FieldRule{"where", kMedium, {}},
    FieldRule{"duty", kChoice, kDuty},
    FieldRule{"setting", kChoice, kSetting},
    FieldRule{"at_risk", kChoice, kAtRisk},
    FieldRule{"risk_details", kLong, {}},
    FieldRule{"how_known", kLong, {}},
    FieldRule{"contact", kChoice, kContact},
    FieldRule{"contact_name", kShort, {}},
    FieldRule{"contact_phone", 50, {}},
    FieldRule{"contact_email", kShort, {}},
    FieldRule{"contact_times", kMedium, {}},
};

const std::array kFollowUpFields = {
    FieldRule{"message", kLong, {}},
    FieldRule{"at_risk", kChoice, kAtRisk},
    FieldRule{"risk_details", kLong, {}},
};

std::string WithoutCarriageReturns(std::string value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n') continue;
    out.push_back(value[i]);
  }
  return out;
}

nlohmann::json SourceJson(const SourceRef& source) {
  return {{"ref", HexEncode(source.lookup_id)}, {"key", source.key.ToText()}};
}

}  // namespace

Status CheckUploadFileName(std::string_view name) {
  const Error bad = MakeError(ErrorCode::kInvalidArgument,
                              N_("One of the file names cannot be accepted. Rename the file "
                                 "(letters, numbers and dots) and try again. Nothing was kept."));
  if (name.empty() || name.size() > 255 || name == "." || name == ".." || !IsValidUtf8(name)) {
    return bad;
  }
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '/' || c == '\\') return bad;
  }
  return Status::Ok();
}

bool IsBlankText(std::string_view s) {
  return s.find_first_not_of(" \t\n") == std::string_view::npos;
}

std::span<const FieldRule> ReportFormFields() { return kReportFields; }
std::span<const FieldRule> FollowUpFormFields() { return kFollowUpFields; }

// The follow-up form of a reporter whose login ended: the codename first (it logs them in and is
// never sealed), then the follow-up's own fields.
const std::array kFollowUpWithCodenameFields = {
    FieldRule{"codename", 512, {}},
    FieldRule{"message", kLong, {}},
    FieldRule{"at_risk", kChoice, kAtRisk},
    FieldRule{"risk_details", kLong, {}},
};
std::span<const FieldRule> FollowUpWithCodenameFormFields() { return kFollowUpWithCodenameFields; }

FieldCollector::~FieldCollector() {
  for (auto& [name, value] : values_) sodium_memzero(value.data(), value.size());
}

const FieldRule* FieldCollector::RuleFor(std::string_view name) const {
  for (const auto& r : rules_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

Status FieldCollector::Add(std::string_view name, std::string value) {
  const FieldRule* rule = RuleFor(name);
  if (!rule) {
    return MakeError(ErrorCode::kInvalidArgument,
                     N_("The form had a field this service does not know."));
  }
  if (values_.count(name)) {
    return MakeError(ErrorCode::kInvalidArgument, N_("The form had a field twice."));
  }
  value = WithoutCarriageReturns(std::move(value));
  if (value.size() > rule->max_bytes) {
    return MakeError(ErrorCode::kLimitExceeded,
                     N_("One of the answers is longer than this service accepts. Please shorten "
                        "it."));
  }
  if (total_bytes_ + value.size() > kMaxFormTextBytes) {
    return MakeError(ErrorCode::kLimitExceeded,
                     N_("The answers are longer than this service accepts. Please shorten "
                        "them."));
  }
  if (value.find('\0') != std::string::npos || !IsValidUtf8(value)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     N_("One of the answers contains characters this service cannot accept."));
  }
  if (!rule->choices.empty() && !value.empty()) {
    bool allowed = false;
    for (auto c : rule->choices) allowed = allowed || c == value;
    if (!allowed) {
      return MakeError(ErrorCode::kInvalidArgument,
                       N_("One of the choices on the form is not one this service offers."));
    }
  }
  total_bytes_ += value.size();
  values_.emplace(std::string(name), std::move(value));
  return Status::Ok();
}

std::string_view FieldCollector::Get(std::string_view name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::string_view() : std::string_view(it->second);
}

Result<std::string> ReportMetadataJson(const FieldCollector& f, std::string_view force,
                                       std::string_view day, const SourceRef& source,
                                       Language language) {
  if (IsBlankText(f.Get("what"))) {
    return MakeError(ErrorCode::kInvalidArgument,
                     N_("Please describe what happened: that part of the form was empty. "
                        "Go back to the form and fill it in."));
  }
  auto text = [&](std::string_view name) { return std::string(f.Get(name)); };
  nlohmann::json contact = {{"mode", "anonymous"}};
  // Details typed and then "stay anonymous" chosen: the reporter's choice wins, the details are
  // not sealed at all.
  if (f.Get("contact") == "details") {
    contact = {{"mode", "details"},
               {"name", text("contact_name")},
               {"phone", text("contact_phone")},
               {"email", text("contact_email")},
               {"times", text("contact_times")}};
  }
  const nlohmann::json meta = {
      {"version", 1},
      {"kind", "report"},
      {"force", std::string(force)},
      {"day", std::string(day)},
      {"source", SourceJson(source)},
      {"category", text("category")},
      {"role", text("role")},
      {"subject",
       {{"name", text("subject_name")},
        {"number", text("subject_number")},
        {"description", text("subject_description")}}},
      {"what", text("what")},
      {"when", text("when")},
      {"where", text("where")},
      {"duty", text("duty")},
      {"setting", text("setting")},
      {"at_risk", text("at_risk")},
      {"risk_details", text("risk_details")},
      {"how_known", text("how_known")},
      {"contact", contact},
      {"language", std::string(LanguageCode(language))},
  };
  return meta.dump();
}

Result<std::string> FollowUpMetadataJson(const FieldCollector& f, std::string_view force,
                                         std::string_view day, const SourceRef& source) {
  const nlohmann::json meta = {
      {"version", 1},
      {"kind", "followup"},
      {"force", std::string(force)},
      {"day", std::string(day)},
      {"source", SourceJson(source)},
      {"message", std::string(f.Get("message"))},
      {"at_risk", std::string(f.Get("at_risk"))},
      {"risk_details", std::string(f.Get("risk_details"))},
  };
  return meta.dump();
}

}  // namespace sealdrop
