#include "certs/certificate_issuer.h"

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "certs/openssl_error.h"
#include "certs/tn_auth_list.h"

namespace keydir {
namespace {

Result<void> addConfExtension(X509* certificate, X509V3_CTX* context, int nid,
                              const std::string& value) {
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str()));
  if (!extension || !X509_add_ext(certificate, extension.get(), -1)) {
    return fail(ErrorCode::kMalformed,
                drainOpensslErrors(std::string("cannot add extension ") + OBJ_nid2sn(nid)));
  }
  return {};
}

Result<void> addRawExtension(X509* certificate, std::string_view oid, std::string_view der) {
  Asn1ObjectPtr object(OBJ_txt2obj(std::string(oid).c_str(), 1));
  Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>(der.data()),
                        int(der.size()));
  X509ExtensionPtr extension(X509_EXTENSION_create_by_OBJ(nullptr, object.get(), 0, value.get()));
  if (!extension || !X509_add_ext(certificate, extension.get(), -1)) {
    return fail(ErrorCode::kMalformed,
                drainOpensslErrors("cannot add extension " + std::string(oid)));
  }
  return {};
}

Asn1IntegerPtr randomSerial() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  bytes[0] &= 0x7F;  // positive
  BignumPtr number(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return Asn1IntegerPtr(BN_to_ASN1_INTEGER(number.get(), nullptr));
}

std::string keyUsageFor(const CertificateRequest& request) {
  if (!request.is_ca) return "critical,digitalSignature";
  return request.ca_can_sign ? "critical,digitalSignature,keyCertSign,cRLSign"
                             : "critical,keyCertSign,cRLSign";
}

}  // namespace

Result<X509Ptr> issueCertificate(const CertificateRequest& request, EVP_PKEY* subject_key,
                                 const X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr certificate(X509_new());
  X509_set_version(certificate.get(), X509_VERSION_3);
  X509_set_serialNumber(certificate.get(), randomSerial().get());
  ASN1_TIME_set(X509_getm_notBefore(certificate.get()), unixTime(request.not_before));
  ASN1_TIME_set(X509_getm_notAfter(certificate.get()), unixTime(request.not_after));
  X509_set_pubkey(certificate.get(), subject_key);

  X509NamePtr name(X509_NAME_new());
  if (!request.organization.empty()) {
    X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(request.organization.c_str()),
                               -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(request.common_name.c_str()),
                             -1, -1, 0);
  X509_set_subject_name(certificate.get(), name.get());
  X509_set_issuer_name(certificate.get(), issuer ? X509_get_subject_name(issuer) : name.get());

  X509V3_CTX context;
  X509V3_set_ctx(&context, const_cast<X509*>(issuer ? issuer : certificate.get()),
                 certificate.get(), nullptr, nullptr, 0);
  std::string basic = request.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
  if (request.is_ca && request.path_length)
    basic += ",pathlen:" + std::to_string(*request.path_length);
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, basic}, std::pair{NID_key_usage, keyUsageFor(request)},
        std::pair{NID_subject_key_identifier, std::string("hash")},
        std::pair{NID_authority_key_identifier, std::string("keyid:always")}}) {
    if (auto added = addConfExtension(certificate.get(), &context, nid, value); !added) {
      return std::unexpected(added.error());
    }
  }
  if (!request.subject_alt_names.empty()) {
    std::string names;
    for (const std::string& name : request.subject_alt_names) {
      names += (names.empty() ? "" : ",") + name;
    }
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, names},
                              std::pair{NID_ext_key_usage, std::string("serverAuth")}}) {
      if (auto added = addConfExtension(certificate.get(), &context, nid, value); !added) {
        return std::unexpected(added.error());
      }
    }
  }
  if (!request.tn_auth_list.empty()) {
    auto added =
        addRawExtension(certificate.get(), kTnAuthListOid, encodeTnAuthList(request.tn_auth_list));
    if (!added) return std::unexpected(added.error());
  }
  if (request.delegation_usage) {
    auto added =
        addRawExtension(certificate.get(), kDelegationUsageOid, std::string("\x05\x00", 2));
    if (!added) return std::unexpected(added.error());
  }
  if (!X509_sign(certificate.get(), issuer_key, EVP_sha256())) {
    return fail(ErrorCode::kMalformed, drainOpensslErrors("cannot sign the certificate"));
  }
  return certificate;
}

Result<X509CrlPtr> issueCrl(const X509* issuer, EVP_PKEY* issuer_key,
                            const std::vector<const X509*>& revoked, Instant this_update,
                            std::chrono::seconds validity) {
  X509CrlPtr crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer));
  Asn1TimePtr last(ASN1_TIME_set(nullptr, unixTime(this_update)));
  Asn1TimePtr next(ASN1_TIME_set(nullptr, unixTime(this_update + validity)));
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  for (const X509* certificate : revoked) {
    X509_REVOKED* entry = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(entry,
                                  const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(certificate)));
    X509_REVOKED_set_revocationDate(entry, last.get());
    X509_CRL_add0_revoked(crl.get(), entry);  // the CRL owns it from here
  }
  X509_CRL_sort(crl.get());
  if (!X509_CRL_sign(crl.get(), issuer_key, EVP_sha256())) {
    return fail(ErrorCode::kMalformed, drainOpensslErrors("cannot sign the CRL"));
  }
  return crl;
}

}  // namespace keydir
