#include "certs/certificate_info.h"

#include <openssl/x509v3.h>

#include "certs/certificate_issuer.h"
#include "certs/instant.h"
#include "certs/openssl_ptr.h"
#include "certs/pem.h"
#include "certs/tn_auth_list.h"

namespace keydir {
namespace {

std::string nameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, std::size_t(length));
}

std::string serialHex(const X509* certificate) {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
  char* hex = BN_bn2hex(serial.get());
  std::string text(hex);
  OPENSSL_free(hex);
  return text;
}

}  // namespace

nlohmann::json describeCertificate(const X509* certificate) {
  nlohmann::json info;
  info["subject"] = nameText(X509_get_subject_name(certificate));
  info["issuer"] = nameText(X509_get_issuer_name(certificate));
  info["serial"] = serialHex(certificate);
  info["not_before"] = rfc3339(fromAsn1Time(X509_get0_notBefore(certificate)));
  info["not_after"] = rfc3339(fromAsn1Time(X509_get0_notAfter(certificate)));
  info["ca"] = X509_check_ca(const_cast<X509*>(certificate)) != 0;
  auto list = readTnAuthList(certificate);
  if (!list) {
    info["tnauthlist"] = nullptr;
    info["tnauthlist_error"] = list.error().message;
  } else if (!*list) {
    info["tnauthlist"] = nullptr;
  } else {
    info["tnauthlist"] = scopeStrings(**list);
  }
  Asn1ObjectPtr delegation(OBJ_txt2obj(std::string(kDelegationUsageOid).c_str(), 1));
  info["delegation_usage"] = X509_get_ext_by_OBJ(certificate, delegation.get(), -1) >= 0;
  info["sha256"] = certificateSha256Hex(certificate);
  return info;
}

}  // namespace keydir
