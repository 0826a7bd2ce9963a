// application/x-www-form-urlencoded, for POST bodies (which may carry a note, a reply or the
// passphrase: values are decoded straight into wiping strings and wiped when the Form goes) and
// for GET query strings (filters only).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/wiping_memory.h"

namespace sealdrop::console::web {

class Form {
 public:
  // kInvalidArgument for a malformed escape or a repeated name.
  static Result<Form> Parse(std::string_view encoded);
  Form() = default;
  ~Form();
  Form(Form&&) = default;
  Form& operator=(Form&&) = default;
  Form(const Form&) = delete;
  Form& operator=(const Form&) = delete;

  // The value of `name`, "" when absent. Valid while the Form lives.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return fields_.find(name) != fields_.end(); }

 private:
  std::map<std::string, WipingString, std::less<>> fields_;
};

// Percent-encodes `text` for a query string value.
std::string UrlEncode(std::string_view text);

}  // namespace sealdrop::console::web
