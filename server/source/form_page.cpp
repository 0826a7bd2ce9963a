#include "server/source/form_page.h"

#include "server/i18n/catalogue.h"
#include "server/source/responses.h"

namespace sealdrop::server {

void FillFormData(PageData& data, const FormValues& values, const FormProblem* problem,
                  bool files_dropped) {
  for (const auto& [name, value] : values) {
    data.set("v_" + name, value);
    // Choices are short tokens (the schema checked them, or they are simply not shown chosen).
    if (value.size() <= 32) data.set("c_" + name + "_" + value, PageData::type::bool_true);
  }
  if (!problem) return;
  data.set("has_errors", PageData::type::bool_true);
  kainjow::mustache::list errors;
  PageData item;
  item.set("message", problem->message);
  if (!problem->field.empty()) {
    item.set("href", "#" + problem->field);
    std::string key = "e_" + problem->field;  // element ids may have '-'; template keys do not
    for (char& c : key) c = c == '-' ? '_' : c;
    data.set(key, problem->message);
  }
  errors.push_back(item);
  data.set("errors", errors);
  if (files_dropped) data.set("files_dropped", PageData::type::bool_true);
}

namespace {

// The directory's English names of the forces in Wales, for the extractor: their Welsh names
// are in the catalogue.
[[maybe_unused]] constexpr const char* kWelshForceNames[] = {
    N_("Dyfed-Powys Police"), N_("Gwent Police"), N_("North Wales Police"),
    N_("South Wales Police")};

}  // namespace

std::string ForceName(Language language, std::string_view directory_name) {
  return Translate(language, directory_name);
}

FormProblem ExpiredDirectoryProblem(Language language) {
  return {http::status::service_unavailable,
          Translate(language,
                    "This service cannot send reports or messages to the police at the moment: "
                    "its list of forces needs renewing by the people who run it. Nothing was "
                    "sent. Your answers are below: please try again in a day or two."),
          ""};
}

Response ReportFormPage(SiteContext& ctx, Language language, unsigned version,
                        const FormValues* values, const FormProblem* problem, bool files_dropped) {
  const IssuedForm form = ctx.form_tokens.Issue();
  PageData data;
  data.set("csrf", form.token);
  const FormValues none;
  const FormValues& shown = values ? *values : none;
  const auto chosen = shown.find("force");
  const std::string force = chosen == shown.end() ? "NATIONAL" : chosen->second;
  kainjow::mustache::list forces;
  const auto directory = ctx.directory.Current();
  // An expired directory (live_directory.h): the form is shown, with why it cannot be sent.
  const FormProblem expired = ExpiredDirectoryProblem(language);
  if (!problem && directory->expired()) problem = &expired;
  for (const auto& f : directory->forces()) {
    if (f.code == "NATIONAL" || !directory->Find(f.code)) continue;
    PageData item;
    item.set("code", f.code);
    item.set("name", ForceName(language, f.name));
    if (f.code == force) item.set("selected", PageData::type::bool_true);
    forces.push_back(item);
  }
  data.set("forces", forces);
  if (force == "NATIONAL") data.set("national_selected", PageData::type::bool_true);
  data.set("max_upload", HumanSize(ctx.limits.max_upload_bytes));
  FillFormData(data, shown, problem, files_dropped);
  // Staying anonymous is the default until the reporter chooses otherwise.
  if (shown.find("contact") == shown.end()) {
    data.set("c_contact_anonymous", PageData::type::bool_true);
  }
  // A refused form's words are only on this page: the other language opens in a new tab.
  Response res = PageResponse({.language = language, .path = "/report",
                               .switch_in_new_tab = values != nullptr},
                              problem ? problem->status : http::status::ok, version, "report_form",
                              problem ? N_("Error: Make a report") : N_("Make a report"),
                              std::move(data));
  res.set(http::field::set_cookie, form.cookie);
  return res;
}

}  // namespace sealdrop::server
