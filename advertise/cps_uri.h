#pragma once
// The rule for a CPS URI (draft-ietf-stir-servprovider-oob section 4: CPS
// URIs MUST be HTTPS; DESIGN section 5): an absolute https URI with a host
// and no userinfo. Userinfo is refused because "https://bank@evil" reads as
// one host and goes to another.

#include <string_view>

#include "certs/error.h"

namespace keydir {

// kMalformed names what is wrong with `uri`.
Result<void> checkCpsUri(std::string_view uri);

}  // namespace keydir
