#pragma once
// DER to and from OpenSSL objects for any i2d_* / d2i_* pair: encoding into
// a std::string, and strict decoding that refuses bytes after the object.

#include <openssl/crypto.h>

#include <memory>
#include <string>
#include <string_view>

#include "certs/error.h"
#include "certs/openssl_error.h"

namespace keydir {

template <class T, class Encode>
std::string derString(Encode encode, const T* object) {
  unsigned char* buffer = nullptr;
  int length = encode(object, &buffer);
  if (length <= 0) return {};
  std::string der(reinterpret_cast<char*>(buffer), std::size_t(length));
  OPENSSL_free(buffer);
  return der;
}

// Decodes `der` whole into Ptr (an owning pointer type) with `decode`.
// kMalformed, naming `what`, when it does not parse or has trailing bytes.
template <class Ptr, class Decode>
Result<Ptr> fromDer(Decode decode, std::string_view der, std::string_view what) {
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* cursor = start;
  Ptr object(decode(nullptr, &cursor, long(der.size())));
  if (!object) {
    return fail(ErrorCode::kMalformed, drainOpensslErrors(std::string(what) + " does not parse"));
  }
  if (cursor != start + der.size()) {
    return fail(ErrorCode::kMalformed, std::string(what) + " has bytes after its end");
  }
  return object;
}

}  // namespace keydir
