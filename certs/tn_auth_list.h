#pragma once
// TNAuthList (RFC 8226 section 9, module with EXPLICIT TAGS):
//   TNAuthorizationList ::= SEQUENCE SIZE (1..MAX) OF TNEntry
//   TNEntry ::= CHOICE { spc [0] ServiceProviderCode,
//                        range [1] TelephoneNumberRange,
//                        one [2] TelephoneNumber }
//   TelephoneNumberRange ::= SEQUENCE { start TelephoneNumber,
//                                       count INTEGER (2..MAX), ... }
//   TelephoneNumber ::= IA5String (SIZE (1..15)) (FROM ("0123456789#*"))
//
// Decisions, documented in docs/tnauthlist.md:
// - Only digits are accepted in numbers; '#' and '*' are refused because a
//   TN in keydir is E.164 digits.
// - A TelephoneNumberRange holding anything after `count` is refused. The
//   extension marker allows additions, but one known writer (botan) puts a
//   second start/count pair there meaning a second range; reading only the
//   first pair would silently disagree with it about authority.

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "certs/tn_scope.h"

namespace keydir {

inline constexpr std::string_view kTnAuthListOid = "1.3.6.1.5.5.7.1.26";

// Decodes the DER value of the extension. kMalformed names the entry and
// what is wrong: truncation, wrong tag, bad characters, count < 2, a range
// leaving its digit length, an empty list, trailing bytes.
Result<std::vector<TnScope>> decodeTnAuthList(std::string_view der);

// Encodes scopes as the DER value of the extension.
std::string encodeTnAuthList(const std::vector<TnScope>& scopes);

// The certificate's TNAuthList: nullopt when it carries none; an error when
// it carries one that does not decode, or more than one.
Result<std::optional<std::vector<TnScope>>> readTnAuthList(const X509* certificate);

}  // namespace keydir
