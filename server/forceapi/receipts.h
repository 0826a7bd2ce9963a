// POST /api/v1/receipts: a force's console holds these items (an import receipt, written by
// `sealdrop-console outbox` and sent by `sealdrop-transfer push`): the server deletes them.
// Spec: docs/force-api.md §1; the document: docs/bundle.md §5.
//
// The request is signed like every force API request, so the signature, its freshness and its
// nonce vouch for the receipt. Nothing is deleted unless the signature verifies and the body
// is a well-formed receipt of the calling force; then every row goes in one transaction.
#pragma once

#include <memory>

#include "server/forceapi/force_api.h"

namespace sealdrop::server {

std::unique_ptr<BodyHandler> MakeReceiptRequest(ForceApiContext& ctx, unsigned version,
                                                PendingAuth auth);

}  // namespace sealdrop::server
