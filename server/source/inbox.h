// The returning reporter's inbox: the replies addressed to their lookup id, opened in memory with
// the source key derived at login (never written anywhere in clear), and rendered with the
// follow-up and log-out forms. Reply envelopes: docs/report.md §5.
#pragma once

#include "server/http/http_server.h"
#include "server/source/form_page.h"
#include "server/source/site_context.h"

namespace sealdrop::server {

// A follow-up given back after a refusal: what was typed, and why it was not sent.
struct InboxDraft {
  const FormValues* values = nullptr;
  const FormProblem* problem = nullptr;
  bool files_dropped = false;
};

// The inbox, with the follow-up form filled in from `draft` if given. When `session_id` is not
// logged in (the session may have expired in between): a redirect to /login, or, with a draft,
// the login form with the reporter's unsent message shown beside it, never lost.
Response InboxPage(SiteContext& ctx, Language language, unsigned version,
                   const std::string& session_id, InboxDraft draft = {});

}  // namespace sealdrop::server
