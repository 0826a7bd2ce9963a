// The service's own face: what the operator calls the service, who runs it, its phone line, the
// quick-exit link, and the facts the privacy notice states. Set once by main() from the server
// configuration (server/config/server_config.h checks every value); every page reads it.
#pragma once

#include <string>

namespace sealdrop::server {

struct SiteFace {
  std::string service_name = "SealDrop";  // the header, titles and the landing page
  std::string operator_name;              // "" : not shown
  std::string phone_number;               // "" : no phone line shown
  std::string phone_hours;                // e.g. "Monday to Friday, 9am to 5pm"
  // The same in Welsh, on the /cy pages; "" : the English value is shown there too.
  std::string service_name_cy;
  std::string operator_name_cy;
  std::string phone_hours_cy;
  // The quick exit ("Exit this page"): a neutral site, opened in place of this one.
  std::string exit_url = "https://www.bbc.co.uk/weather";
  int retention_days = 365;       // the privacy notice: source_retention_days
  int session_idle_minutes = 60;  // the privacy notice: session_idle_minutes
};

// REQUIRES: called before any page is rendered and before the I/O threads start; the face is
// read without a lock afterwards.
void SetSiteFace(SiteFace face);
const SiteFace& CurrentSiteFace();

}  // namespace sealdrop::server
