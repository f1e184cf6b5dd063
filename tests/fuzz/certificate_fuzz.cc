// Certificates as `keydir cert inspect` and every chain check read them:
// DER or PEM, then the description and the TNAuthList extension.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "certs/certificate_info.h"
#include "certs/pem.h"
#include "certs/tn_auth_list.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto examine = [](const X509* certificate) {
    (void)keydir::describeCertificate(certificate)
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    (void)keydir::readTnAuthList(certificate);
  };
  if (auto der = keydir::certificateFromDer(bytes); der) examine(der->get());
  if (auto pem = keydir::certificatesFromPem(bytes); pem) {
    for (const auto& certificate : *pem) examine(certificate.get());
  }
  return 0;
}
