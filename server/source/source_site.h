// The source interface's routes: what a reporter's browser talks to.
#pragma once

#include "server/http/http_server.h"

namespace sealdrop::server {

class SourceSite : public Router {
 public:
  RouteResult Route(const Request& request) override;
  Response ErrorPage(http::status status, unsigned version) override;
};

// A rendered HTML page with `status`.
Response HtmlResponse(http::status status, unsigned version, std::string html);

}  // namespace sealdrop::server
