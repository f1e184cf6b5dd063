#include "certs/jws.h"

#include <openssl/rand.h>

#include "certs/base64.h"
#include "certs/certificate_cache.h"
#include "certs/es256.h"
#include "certs/pem.h"

namespace keydir {

std::vector<std::string> x5cStrings(const std::vector<X509Ptr>& chain) {
  std::vector<std::string> x5c;
  for (const auto& certificate : chain)
    x5c.push_back(base64Encode(certificateDer(certificate.get())));
  return x5c;
}

Result<std::string> signJws(nlohmann::json header, std::string_view payload, EVP_PKEY* key,
                            const std::vector<X509Ptr>& chain) {
  header["alg"] = "ES256";
  if (!chain.empty()) header["x5c"] = x5cStrings(chain);
  std::string signing_input = base64UrlEncode(header.dump()) + "." + base64UrlEncode(payload);
  auto signature = signRaw(key, signing_input);
  if (!signature) return std::unexpected(signature.error());
  return signing_input + "." + base64UrlEncode(*signature);
}

Result<ParsedJws> parseJws(std::string_view compact) {
  std::size_t first = compact.find('.');
  std::size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) {
    return fail(ErrorCode::kMalformed, "a compact JWS has exactly three dot-separated parts");
  }
  auto header_bytes = base64UrlDecode(compact.substr(0, first));
  if (!header_bytes) return failWithContext(header_bytes.error(), "JWS header");
  auto payload = base64UrlDecode(compact.substr(first + 1, second - first - 1));
  if (!payload) return failWithContext(payload.error(), "JWS payload");
  auto signature = base64UrlDecode(compact.substr(second + 1));
  if (!signature) return failWithContext(signature.error(), "JWS signature");

  ParsedJws parsed;
  parsed.header = nlohmann::json::parse(asStringView(*header_bytes), nullptr, false);
  if (parsed.header.is_discarded() || !parsed.header.is_object()) {
    return fail(ErrorCode::kMalformed, "JWS header is not a JSON object");
  }
  auto alg = parsed.header.find("alg");
  if (alg == parsed.header.end() || !alg->is_string() || *alg != "ES256") {
    return fail(
        ErrorCode::kBadSignature,
        "JWS alg " +
            (alg == parsed.header.end() ? std::string("is missing") : alg->dump() + " is refused") +
            "; only ES256 is accepted");
  }
  if (parsed.header.contains("crit")) {
    return fail(ErrorCode::kMalformed, "JWS header has 'crit' extensions keydir does not know");
  }
  parsed.payload = std::string(asStringView(*payload));
  parsed.signing_input = std::string(compact.substr(0, second));
  parsed.signature = std::string(asStringView(*signature));
  return parsed;
}

Result<std::vector<X509Ptr>> jwsChain(const nlohmann::json& header) {
  auto x5c = header.find("x5c");
  if (x5c == header.end() || !x5c->is_array() || x5c->empty()) {
    return fail(ErrorCode::kMalformed, "JWS header needs 'x5c', the signer's chain, leaf first");
  }
  std::vector<X509Ptr> chain;
  for (std::size_t i = 0; i < x5c->size(); ++i) {
    const auto& entry = (*x5c)[i];
    std::string where = "x5c[" + std::to_string(i) + "]";
    if (!entry.is_string()) return fail(ErrorCode::kMalformed, where + " is not a string");
    auto der = base64Decode(entry.get<std::string>());
    if (!der) return failWithContext(der.error(), where);
    auto certificate = cachedCertificateFromDer(asStringView(*der));
    if (!certificate) return failWithContext(certificate.error(), where);
    chain.push_back(std::move(*certificate));
  }
  return chain;
}

Result<VerifiedJws> verifyJws(std::string_view compact, const TrustStore& trust, Instant at,
                              const SpcMap* spc_map, const ChainPolicy& policy) {
  auto parsed = parseJws(compact);
  if (!parsed) return std::unexpected(parsed.error());
  auto chain = jwsChain(parsed->header);
  if (!chain) return std::unexpected(chain.error());
  auto validated = validateChain(*chain, trust, at, spc_map, policy);
  if (!validated) return std::unexpected(validated.error());
  EvpPkeyPtr leaf_key(X509_get_pubkey(const_cast<X509*>(validated->leaf())));
  if (auto ok = verifyRaw(leaf_key.get(), parsed->signing_input, parsed->signature); !ok) {
    return fail(ErrorCode::kBadSignature,
                "JWS signature does not verify with the key of the x5c leaf certificate");
  }
  return VerifiedJws{std::move(*parsed), std::move(*validated)};
}

std::string freshJti() {
  std::string bits(16, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bits.data()), int(bits.size()));
  return base64UrlEncode(bits);
}

}  // namespace keydir
