// The report a call handler takes by phone: the same fields, limits and choices as the web form
// (docs/report.md §2, one codec: report/report_schema.h), read from a filled form file or asked
// for one by one. Values are the caller's words: they go only into the sealed envelope.
#pragma once

#include <cstdio>
#include <functional>
#include <istream>
#include <string>

#include "common/result.h"
#include "report/report_schema.h"

namespace sealdrop::intake {

// A form file: one JSON object whose members are report form field names (docs/intake.md §2)
// with string values. Unknown names, non-string values and values the web form would refuse are
// refused with a message naming the field (never its value).
Status ReadFormFile(const std::string& path, FieldCollector& fields);

// Asks for each field on `prompts` and reads the answers from `in`: one line for short fields,
// several lines ended by a line holding only "." for long ones; for choices, the allowed values
// are listed and an empty answer leaves the field unanswered. A refused answer (including a
// force that `check_force` refuses) is asked again.
using ForceCheck = std::function<Status(std::string_view code)>;
Status AskForm(std::istream& in, std::FILE* prompts, const ForceCheck& check_force,
               FieldCollector& fields);

}  // namespace sealdrop::intake
