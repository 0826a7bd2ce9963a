#include "journalist_console/intake/intake_form.h"

#include <nlohmann/json.hpp>

#include "common/io.h"

namespace sealdrop::intake {
namespace {

// The question the call handler asks for each field (the web form's labels, shortened).
struct Question {
  std::string_view field;
  std::string_view text;
};
constexpr Question kQuestions[] = {
    {"force", "Which force is the person in? (directory code; NATIONAL if the caller does not know)"},
    {"category", "What kind of wrongdoing is it?"},
    {"role", "Is the person a police officer, member of staff or volunteer?"},
    {"subject_name", "Their name, if known"},
    {"subject_number", "Their collar or staff number, if known"},
    {"subject_description", "Anything else that identifies them"},
    {"what", "What happened? (required)"},
    {"when", "When did it happen?"},
    {"where", "Where did it happen?"},
    {"duty", "Were they on duty?"},
    {"setting", "Did it happen in person or online?"},
    {"at_risk", "Is anyone at risk of harm now?"},
    {"risk_details", "Who is at risk, and how?"},
    {"how_known", "How does the caller know about this?"},
    {"contact", "Does the caller want to stay anonymous, or give contact details?"},
    {"contact_name", "Caller's name (only if they chose to give details)"},
    {"contact_phone", "Caller's phone number (only if they chose to give details)"},
    {"contact_email", "Caller's email address (only if they chose to give details)"},
    {"contact_times", "When is it safe to contact them?"},
};

constexpr std::size_t kLongField = 10'000;  // fields above this limit take several lines

std::string_view QuestionFor(std::string_view field) {
  for (const auto& q : kQuestions) {
    if (q.field == field) return q.text;
  }
  return field;
}

// Reads one answer; false at the end of the input.
bool ReadAnswer(std::istream& in, bool multi_line, std::string& out) {
  out.clear();
  std::string line;
  if (!multi_line) return static_cast<bool>(std::getline(in, out));
  bool any = false;
  while (std::getline(in, line)) {
    any = true;
    if (line == ".") return true;
    if (!out.empty()) out += '\n';
    out += line;
  }
  return any;
}

}  // namespace

Status ReadFormFile(const std::string& path, FieldCollector& fields) {
  auto text = ReadSmallFile(path, 2 * kMaxFormTextBytes);
  if (!text) return text.error();
  const auto form = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!form.is_object()) {
    return MakeError(ErrorCode::kMalformed, path + " is not a JSON object of form fields");
  }
  for (const auto& [name, value] : form.items()) {
    if (!fields.RuleFor(name)) {
      return MakeError(ErrorCode::kInvalidArgument, path + ": \"" + name +
                                                        "\" is not a field of the report form");
    }
    if (!value.is_string()) {
      return MakeError(ErrorCode::kInvalidArgument, path + ": \"" + name + "\" must be a string");
    }
    if (auto st = fields.Add(name, value.get<std::string>()); !st) {
      return MakeError(st.error().code, path + ": \"" + name + "\": " + st.error().message);
    }
  }
  return Status::Ok();
}

Status AskForm(std::istream& in, std::FILE* prompts, const ForceCheck& check_force,
               FieldCollector& fields) {
  for (const FieldRule& rule : ReportFormFields()) {
    const bool multi_line = rule.max_bytes > kLongField;
    for (;;) {
      std::fprintf(prompts, "\n%.*s\n", static_cast<int>(QuestionFor(rule.name).size()),
                   QuestionFor(rule.name).data());
      if (!rule.choices.empty()) {
        std::fprintf(prompts, "  one of:");
        for (auto c : rule.choices) std::fprintf(prompts, " %.*s", static_cast<int>(c.size()), c.data());
        std::fprintf(prompts, " (or press Enter to leave it unanswered)\n");
      } else if (multi_line) {
        std::fprintf(prompts, "  (as many lines as needed; end with a line holding only \".\")\n");
      }
      std::fprintf(prompts, "%.*s> ", static_cast<int>(rule.name.size()), rule.name.data());
      std::fflush(prompts);
      std::string answer;
      if (!ReadAnswer(in, multi_line, answer)) {
        return MakeError(ErrorCode::kTruncated, "the input ended before the form was complete");
      }
      if (rule.name == "what" && IsBlankText(answer)) {
        std::fprintf(prompts, "  This answer is required.\n");
        continue;
      }
      Status st = rule.name == "force" ? check_force(answer) : Status::Ok();
      if (st) st = fields.Add(rule.name, std::move(answer));
      if (st) break;
      std::fprintf(prompts, "  %s\n", st.error().message.c_str());
    }
  }
  return Status::Ok();
}

}  // namespace sealdrop::intake
