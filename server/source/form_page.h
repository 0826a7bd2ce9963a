// The source interface's forms, rendered fresh or given back filled in after a refusal
// (GOV.UK's pattern: "There is a problem" at the top, each problem linked to its field, the
// field's own message beside it). Values are HTML-escaped by the templates.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "server/http/http_server.h"
#include "server/pages/pages.h"
#include "server/source/site_context.h"

namespace sealdrop::server {

// A form's text fields as sent, by name (refused values included, so nothing is lost).
using FormValues = std::map<std::string, std::string, std::less<>>;

// Why a form came back, and which field the reporter should look at ("" for the whole form; an
// element id such as "what" or "file-1"). The message is in the page's language already.
struct FormProblem {
  http::status status;
  std::string message;
  std::string field;
};

// Fills `data` with the values (v_NAME for text, c_NAME_VALUE for chosen options), the problem
// (has_errors, errors, e_FIELD) and whether files must be chosen again (files_dropped).
void FillFormData(PageData& data, const FormValues& values, const FormProblem* problem,
                  bool files_dropped);

// A force's name from the directory, in `language`: the forces of Wales have Welsh names in the
// catalogue (Heddlu Dyfed-Powys, ...); any other name is shown as the directory gives it.
std::string ForceName(Language language, std::string_view directory_name);

// The service's force directory has expired (server/config/live_directory.h): reports and
// follow-ups are refused until it is renewed; 503, the whole form.
FormProblem ExpiredDirectoryProblem(Language language);

// The report form with a fresh form token (its cookie set on the response). `values` and
// `problem` are null for a new form.
Response ReportFormPage(SiteContext& ctx, Language language, unsigned version,
                        const FormValues* values, const FormProblem* problem, bool files_dropped);

}  // namespace sealdrop::server
