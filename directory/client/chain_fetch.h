#pragma once
// The certificate chain an x5u URL names (RFC 8225 section 5, a PEM chain
// leaf first), fetched over http or https: for a verification service
// checking a PASSporT, and for a CPS checking who stores.

#include <string>
#include <vector>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

// GETs `url`; `tls_ca`, when set, is the PEM bundle that must have signed
// an https server (otherwise the system's CAs). kUnavailable when no
// answer came; kMalformed when the answer holds no PEM chain.
Result<std::vector<X509Ptr>> fetchChain(const std::string& url, const std::string& tls_ca = "");

}  // namespace keydir
