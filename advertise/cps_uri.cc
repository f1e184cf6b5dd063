#include "advertise/cps_uri.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace keydir {
namespace {

Result<void> refuse(std::string_view uri, const std::string& why) {
  return fail(ErrorCode::kMalformed, "CPS URI '" + std::string(uri.substr(0, 200)) + "' " + why);
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

Result<void> checkCpsUri(std::string_view uri) {
  // RFC 3986 section 2: a URI is unreserved and reserved characters and
  // percent-encoded octets. The other printable characters ('"', '<', '>',
  // '\', '^', '`', '{', '|', '}') appear only percent-encoded: a caller's
  // HTTP library may refuse them, or read them otherwise than the
  // advertiser meant.
  constexpr std::string_view kUriCharacters =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";
  for (std::size_t i = 0; i < uri.size(); ++i) {
    auto byte = static_cast<unsigned char>(uri[i]);
    if (byte <= 0x20 || byte >= 0x7f) {
      return refuse(uri, "holds a space, control or non-ASCII character; percent-encode it");
    }
    if (kUriCharacters.find(uri[i]) == std::string_view::npos) {
      return refuse(uri, "holds '" + std::string(1, uri[i]) +
                             "', which a URI holds only percent-encoded (RFC 3986 section 2)");
    }
    if (uri[i] == '%' &&
        (i + 2 >= uri.size() || !std::isxdigit(static_cast<unsigned char>(uri[i + 1])) ||
         !std::isxdigit(static_cast<unsigned char>(uri[i + 2])))) {
      return refuse(uri, "has a '%' not followed by two hex digits (RFC 3986 section 2.1)");
    }
  }
  std::size_t colon = uri.find(':');
  if (colon == std::string_view::npos || uri.substr(colon, 3) != "://") {
    return refuse(uri, "is not an absolute URI (scheme://host/...)");
  }
  if (!equalsIgnoringCase(uri.substr(0, colon), "https")) {
    return refuse(uri, "uses scheme '" + std::string(uri.substr(0, colon)) +
                           "'; a CPS must be reached over https");
  }
  std::string_view rest = uri.substr(colon + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return refuse(uri, "has userinfo (user@host); name the host alone");
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    std::size_t close = host.find(']');
    if (close == std::string_view::npos) return refuse(uri, "has an unclosed IPv6 literal");
    std::string_view after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') return refuse(uri, "has junk after its host");
    host = host.substr(0, close + 1);
    authority = after;
  } else {
    std::size_t port = host.find(':');
    authority = port == std::string_view::npos ? std::string_view() : host.substr(port);
    host = host.substr(0, port);
  }
  if (host.empty() || host == "[]") return refuse(uri, "has no host");
  if (!authority.empty()) {
    std::string_view port = authority.substr(1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoul(std::string(port)) > 65535) {
      return refuse(uri, "has a port that is not a number from 0 to 65535");
    }
  }
  if (rest.find('#') != std::string_view::npos) {
    return refuse(uri, "has a fragment; a CPS URI names a service, not a part of a page");
  }
  return {};
}

CpsBase cpsBase(std::string_view uri) {
  uri = uri.substr(0, uri.find_first_of("?#"));
  const std::size_t scheme = uri.find("://");
  const std::size_t path_at = uri.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  CpsBase base{std::string(uri.substr(0, path_at)),
               path_at == std::string_view::npos ? "" : std::string(uri.substr(path_at))};
  while (!base.path.empty() && base.path.back() == '/') base.path.pop_back();
  return base;
}

}  // namespace keydir
