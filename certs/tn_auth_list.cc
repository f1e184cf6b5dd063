#include "certs/tn_auth_list.h"

#include <algorithm>

#include "certs/der.h"
#include "certs/openssl_ptr.h"

namespace keydir {
namespace {

constexpr std::uint8_t kSpcTag = 0xA0;
constexpr std::uint8_t kRangeTag = 0xA1;
constexpr std::uint8_t kNumberTag = 0xA2;

Result<std::string> readNumber(DerReader& reader, std::string_view what) {
  auto element = reader.expect(der::kIa5String, what);
  if (!element) return std::unexpected(element.error());
  std::string_view text = element->content;
  if (text.empty() || text.size() > 15) {
    return fail(ErrorCode::kMalformed, std::string(what) + " has " + std::to_string(text.size()) +
                                           " characters; RFC 8226 allows 1 to 15");
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return fail(ErrorCode::kMalformed,
                  std::string(what) + " contains a character other than a digit (byte " +
                      std::to_string(std::uint8_t(c)) + "); keydir accepts E.164 digits only");
    }
  }
  return std::string(text);
}

Result<TnScope> decodeEntry(const DerElement& entry) {
  DerReader inner(entry.content);
  Result<TnScope> scope = fail(ErrorCode::kMalformed, "");
  switch (entry.tag) {
    case kSpcTag: {
      auto spc = inner.expect(der::kIa5String, "SPC");
      if (!spc) return std::unexpected(spc.error());
      scope = TnScope::spc(spc->content);
      break;
    }
    case kNumberTag: {
      auto number = readNumber(inner, "telephone number");
      if (!number) return std::unexpected(number.error());
      scope = TnScope::number(*number);
      break;
    }
    case kRangeTag: {
      auto sequence = inner.expect(der::kSequence, "range");
      if (!sequence) return std::unexpected(sequence.error());
      DerReader fields(sequence->content);
      auto start = readNumber(fields, "range start");
      if (!start) return std::unexpected(start.error());
      auto count_element = fields.expect(der::kInteger, "range count");
      if (!count_element) return std::unexpected(count_element.error());
      auto count = derUnsigned(count_element->content);
      if (!count) return failWithContext(count.error(), "range count");
      if (!fields.atEnd()) {
        return fail(ErrorCode::kMalformed,
                    "range " + *start +
                        " has elements after its count; keydir refuses to guess "
                        "whether they are extension additions or further ranges");
      }
      scope = TnScope::range(*start, *count);
      break;
    }
    default:
      return fail(ErrorCode::kMalformed, "entry has tag " + std::to_string(entry.tag) +
                                             "; expected [0] SPC, [1] range or [2] number");
  }
  if (scope && !inner.atEnd()) {
    return fail(ErrorCode::kMalformed, "entry has bytes after its value");
  }
  return scope;
}

}  // namespace

Result<std::vector<TnScope>> decodeTnAuthList(std::string_view der) {
  DerReader outer(der);
  auto list = outer.expect(der::kSequence, "TNAuthList");
  if (!list) return std::unexpected(list.error());
  if (!outer.atEnd()) return fail(ErrorCode::kMalformed, "TNAuthList has bytes after its end");
  DerReader entries(list->content);
  std::vector<TnScope> scopes;
  while (!entries.atEnd()) {
    std::string position = "TNAuthList entry " + std::to_string(scopes.size() + 1);
    auto entry = entries.next();
    if (!entry) return failWithContext(entry.error(), position);
    auto scope = decodeEntry(*entry);
    if (!scope) return failWithContext(scope.error(), position);
    scopes.push_back(std::move(*scope));
  }
  if (scopes.empty()) {
    return fail(ErrorCode::kMalformed, "TNAuthList is empty; RFC 8226 requires at least one entry");
  }
  return scopes;
}

std::string encodeTnAuthList(const std::vector<TnScope>& scopes) {
  std::string entries;
  for (const auto& scope : scopes) {
    switch (scope.kind()) {
      case TnScope::Kind::kSpc:
        entries += der::element(kSpcTag, der::element(der::kIa5String, scope.value()));
        break;
      case TnScope::Kind::kNumber:
        entries += der::element(kNumberTag, der::element(der::kIa5String, scope.value()));
        break;
      case TnScope::Kind::kRange:
        entries += der::element(
            kRangeTag, der::element(der::kSequence, der::element(der::kIa5String, scope.value()) +
                                                        der::unsignedInteger(scope.count())));
        break;
    }
  }
  return der::element(der::kSequence, entries);
}

Result<std::optional<std::vector<TnScope>>> readTnAuthList(const X509* certificate) {
  Asn1ObjectPtr oid(OBJ_txt2obj(std::string(kTnAuthListOid).c_str(), 1));
  int index = X509_get_ext_by_OBJ(certificate, oid.get(), -1);
  if (index < 0) return std::optional<std::vector<TnScope>>();
  if (X509_get_ext_by_OBJ(certificate, oid.get(), index) >= 0) {
    return fail(ErrorCode::kMalformed, "certificate carries more than one TNAuthList extension");
  }
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(certificate, index));
  auto scopes = decodeTnAuthList(std::string_view(
      reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)), ASN1_STRING_length(value)));
  if (!scopes) return std::unexpected(scopes.error());
  return std::optional<std::vector<TnScope>>(std::move(*scopes));
}

}  // namespace keydir
