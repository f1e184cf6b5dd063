#include "certs/openssl_error.h"

#include <openssl/err.h>

namespace keydir {

std::string drainOpensslErrors(std::string_view what) {
  std::string message(what);
  bool first = true;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    message += first ? ": " : "; ";
    message += buffer;
    first = false;
  }
  return message;
}

}  // namespace keydir
