#pragma once
// Parsed certificates by their DER, shared between threads. OpenSSL 3.0's
// d2i_X509 costs more than an ECDSA verification, and registrations repeat
// the same intermediates; parsing each distinct DER once is pure saving.
// Returns the same result as certificateFromDer. Bounded: when full, it
// starts over.

#include <string_view>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir {

Result<X509Ptr> cachedCertificateFromDer(std::string_view der);

}  // namespace keydir
