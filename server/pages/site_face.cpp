#include "server/pages/site_face.h"

namespace sealdrop::server {
namespace {

SiteFace& Face() {
  static SiteFace face;
  return face;
}

}  // namespace

void SetSiteFace(SiteFace face) { Face() = std::move(face); }

const SiteFace& CurrentSiteFace() { return Face(); }

}  // namespace sealdrop::server
