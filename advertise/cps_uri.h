#pragma once
// The rule for a CPS URI (draft-ietf-stir-servprovider-oob section 4: CPS
// URIs MUST be HTTPS; docs/design.md section 5): an absolute https URI with a host
// and no userinfo. Userinfo is refused because "https://bank@evil" reads as
// one host and goes to another.

#include <string>
#include <string_view>

#include "certs/error.h"

namespace keydir {

// kMalformed names what is wrong with `uri`.
Result<void> checkCpsUri(std::string_view uri);

// A CPS URI cut where its routes go (docs/design.md section 13): the origin
// ("https://cps.example:8443") and the base path the routes sit under
// ("/oob", or empty), without a trailing '/', query or fragment.
struct CpsBase {
  std::string origin;
  std::string path;
};
CpsBase cpsBase(std::string_view uri);

}  // namespace keydir
