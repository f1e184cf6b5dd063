#include "certs/chain_validator.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "certs/certificate_issuer.h"
#include "certs/encompassment.h"
#include "certs/openssl_error.h"
#include "certs/tn_auth_list.h"

namespace keydir {
namespace {

// Configured CRLs are checked where present; a certificate whose issuer
// published none is not failed for that, since the operator chose which
// CRLs to load.
int acceptMissingCrl(int ok, X509_STORE_CTX* context) {
  if (!ok && X509_STORE_CTX_get_error(context) == X509_V_ERR_UNABLE_TO_GET_CRL) return 1;
  return ok;
}

std::string subjectOf(const X509* certificate) {
  char text[256];
  X509_NAME_oneline(X509_get_subject_name(certificate), text, sizeof text);
  return text;
}

bool hasExtension(const X509* certificate, std::string_view oid) {
  Asn1ObjectPtr object(OBJ_txt2obj(std::string(oid).c_str(), 1));
  return X509_get_ext_by_OBJ(certificate, object.get(), -1) >= 0;
}

// The leaf's own step under an issuer path verified before: the path is
// empty when OpenSSL refuses it, and the caller then validates in full so
// that the error it reports is the full validation's.
std::vector<X509Ptr> verifyLeafStep(X509* leaf, const VerifiedIssuers::Path& issuers,
                                    bool check_crls, Instant at) {
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (!context ||
      !X509_STORE_CTX_init(context.get(), issuers.leaf_step_store.get(), leaf, nullptr)) {
    ERR_clear_error();
    return {};
  }
  X509_STORE_CTX_set_time(context.get(), 0, unixTime(at));
  // Only the leaf's CRL: the issuers' were checked when the path was verified.
  X509_STORE_CTX_set_flags(context.get(),
                           X509_V_FLAG_PARTIAL_CHAIN | (check_crls ? X509_V_FLAG_CRL_CHECK : 0));
  if (check_crls) X509_STORE_CTX_set_verify_cb(context.get(), acceptMissingCrl);
  if (X509_verify_cert(context.get()) != 1 || X509_STORE_CTX_get0_chain(context.get()) == nullptr ||
      sk_X509_num(X509_STORE_CTX_get0_chain(context.get())) != 2) {
    ERR_clear_error();
    return {};
  }
  std::vector<X509Ptr> path;
  X509_up_ref(leaf);
  path.emplace_back(leaf);
  for (const auto& issuer : issuers.issuers) {
    X509_up_ref(issuer.get());
    path.emplace_back(issuer.get());
  }
  return path;
}

Result<std::vector<X509Ptr>> verifyFullPath(const std::vector<X509Ptr>& chain,
                                            const TrustStore& trust, Instant at) {
  X509StackPtr untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.size(); ++i) {
    X509_up_ref(chain[i].get());
    sk_X509_push(untrusted.get(), chain[i].get());
  }
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (!X509_STORE_CTX_init(context.get(), trust.store(), chain[0].get(), untrusted.get())) {
    return fail(ErrorCode::kUnavailable, drainOpensslErrors("cannot start chain validation"));
  }
  X509_STORE_CTX_set_time(context.get(), 0, unixTime(at));
  if (trust.hasCrls()) {
    X509_STORE_CTX_set_flags(context.get(), X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    X509_STORE_CTX_set_verify_cb(context.get(), acceptMissingCrl);
  }
  if (X509_verify_cert(context.get()) != 1) {
    int error = X509_STORE_CTX_get_error(context.get());
    int depth = X509_STORE_CTX_get_error_depth(context.get());
    X509* culprit = X509_STORE_CTX_get_current_cert(context.get());
    ERR_clear_error();
    std::string message = std::string("certificate chain rejected: ") +
                          X509_verify_cert_error_string(error) + " (depth " +
                          std::to_string(depth) + (culprit ? ", " + subjectOf(culprit) : "") + ")";
    bool out_of_validity =
        error == X509_V_ERR_CERT_HAS_EXPIRED || error == X509_V_ERR_CERT_NOT_YET_VALID;
    return fail(out_of_validity ? ErrorCode::kExpired : ErrorCode::kUntrustedChain, message);
  }
  X509StackPtr verified(X509_STORE_CTX_get1_chain(context.get()));
  std::vector<X509Ptr> path;
  for (int i = 0; i < sk_X509_num(verified.get()); ++i) {
    X509* certificate = sk_X509_value(verified.get(), i);
    X509_up_ref(certificate);
    path.emplace_back(certificate);
  }
  return path;
}

Result<std::vector<X509Ptr>> verifyPath(const std::vector<X509Ptr>& chain, const TrustStore& trust,
                                        Instant at) {
  VerifiedIssuers& verified_issuers = trust.verifiedIssuers();
  if (auto issuers = verified_issuers.find(chain, at)) {
    auto path = verifyLeafStep(chain[0].get(), *issuers, trust.hasCrls(), at);
    if (!path.empty()) return path;
  }
  auto path = verifyFullPath(chain, trust, at);
  if (path) verified_issuers.remember(chain, *path, trust.store());
  return path;
}

// Walks from the anchor down; each TNAuthList must lie inside the nearest
// one above it (RFC 9060 section 4). Returns the leaf's list.
Result<std::vector<TnScope>> checkTnAuthLists(const std::vector<X509Ptr>& path,
                                              const SpcMap* spc_map) {
  std::optional<std::vector<TnScope>> nearest_above;
  for (std::size_t i = path.size(); i-- > 0;) {
    auto list = readTnAuthList(path[i].get());
    if (!list) return failWithContext(list.error(), subjectOf(path[i].get()));
    if (!*list) continue;
    if (nearest_above) {
      if (auto inside = checkEncompassed(**list, *nearest_above, spc_map); !inside) {
        return fail(
            ErrorCode::kUntrustedChain,
            "TNAuthList of " + subjectOf(path[i].get()) +
                " is not encompassed by its issuer's (RFC 9060): " + inside.error().message);
      }
    }
    nearest_above = std::move(*list);
    if (i == 0) return std::move(*nearest_above);
  }
  return fail(ErrorCode::kUntrustedChain,
              "leaf certificate " + subjectOf(path[0].get()) + " carries no TNAuthList");
}

}  // namespace

Result<ValidatedChain> validateChain(const std::vector<X509Ptr>& chain, const TrustStore& trust,
                                     Instant at, const SpcMap* spc_map, const ChainPolicy& policy) {
  if (chain.empty()) return fail(ErrorCode::kMalformed, "certificate chain is empty");
  if (chain.size() > policy.max_chain_length) {
    return fail(ErrorCode::kMalformed, "certificate chain has " + std::to_string(chain.size()) +
                                           " certificates; at most " +
                                           std::to_string(policy.max_chain_length) +
                                           " are accepted");
  }
  auto path = verifyPath(chain, trust, at);
  if (!path) return std::unexpected(path.error());

  X509* leaf = (*path)[0].get();
  if (!(X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) ||
      !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
    return fail(ErrorCode::kUntrustedChain,
                "leaf certificate " + subjectOf(leaf) + " lacks keyUsage digitalSignature");
  }
  auto authority = checkTnAuthLists(*path, spc_map);
  if (!authority) return std::unexpected(authority.error());
  if (policy.require_delegation_usage && !hasExtension(leaf, kDelegationUsageOid)) {
    return fail(ErrorCode::kNotAuthorized,
                "leaf certificate " + subjectOf(leaf) +
                    " lacks the DelegationUsage extension (RFC 9345), so it may not sign "
                    "delegated credentials");
  }
  ValidatedChain validated;
  validated.leaf_not_before = fromAsn1Time(X509_get0_notBefore(leaf));
  validated.leaf_not_after = fromAsn1Time(X509_get0_notAfter(leaf));
  validated.authority = std::move(*authority);
  validated.certificates = std::move(*path);
  return validated;
}

std::vector<X509Ptr> copyChain(const std::vector<X509Ptr>& chain) {
  std::vector<X509Ptr> copy;
  for (const auto& certificate : chain) {
    X509_up_ref(certificate.get());
    copy.emplace_back(certificate.get());
  }
  return copy;
}

}  // namespace keydir
