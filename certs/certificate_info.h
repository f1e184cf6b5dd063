#pragma once
// What `keydir cert inspect` shows of a certificate, as JSON: subject,
// issuer, serial, validity, CA flag, `tnauthlist` (scope strings),
// `delegation_usage`, `sha256` of the DER.

#include <openssl/x509.h>

#include <nlohmann/json.hpp>

namespace keydir {

// Never fails: a TNAuthList that does not decode is reported as
// `tnauthlist: null` with the reason in `tnauthlist_error`.
nlohmann::json describeCertificate(const X509* certificate);

}  // namespace keydir
