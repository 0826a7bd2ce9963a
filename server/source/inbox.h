// The returning reporter's inbox: the replies addressed to their lookup id, opened in memory with
// the source key derived at login (never written anywhere in clear), and rendered with the
// follow-up and log-out forms. Reply envelopes: docs/report.md §5.
#pragma once

#include "server/http/http_server.h"
#include "server/source/site_context.h"

namespace sealdrop::server {

// REQUIRES: the caller checked that `session_id` is logged in; answers a redirect to /login
// otherwise (the session may have expired in between).
Response InboxPage(SiteContext& ctx, unsigned version, const std::string& session_id);

}  // namespace sealdrop::server
