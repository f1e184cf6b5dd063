#pragma once
// DER encoding of an OpenSSL object into a std::string, for any i2d_*
// function; empty when OpenSSL cannot encode it.

#include <openssl/crypto.h>

#include <string>

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

}  // namespace keydir
