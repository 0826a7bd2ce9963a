// application/x-www-form-urlencoded bodies (the small login and log-out forms), as browsers send
// them (WHATWG URL standard, "application/x-www-form-urlencoded parsing"): '&'-separated
// name=value pairs, '+' for space, %XX escapes. Strict where it matters for us: a malformed
// escape, a NUL byte or invalid UTF-8 is an error, never silently repaired.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace sealdrop::server {

using FormFields = std::vector<std::pair<std::string, std::string>>;

Result<FormFields> ParseUrlEncodedForm(std::string_view body);

// The value of the only field called `name`; nullopt when absent or repeated.
std::optional<std::string_view> SingleField(const FormFields& fields, std::string_view name);

}  // namespace sealdrop::server
