// POST /api/v1/source-refs: a phone intake machine (sealdrop-intake) sends the auth value of a
// codename it made (docs/codename.md §4: never the codename) and gets back the lookup id to
// seal into the report as `source.ref`. Nothing is stored: the source is registered when the
// report itself arrives (POST /api/v1/intake/CODE/AUTH). Spec: docs/force-api.md §2.7.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string_view>

#include "server/forceapi/force_api.h"

namespace sealdrop::server {

std::unique_ptr<BodyHandler> MakeSourceRefRequest(ForceApiContext& ctx, unsigned version,
                                                  PendingAuth auth);

}  // namespace sealdrop::server
