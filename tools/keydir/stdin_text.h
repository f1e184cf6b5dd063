#pragma once
// What a command reads from its standard input: one compact JWS or JWE,
// with the newline a shell pipe adds taken off.

#include <iostream>
#include <iterator>
#include <string>

namespace keydir::tool {

inline std::string stdinToken() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace keydir::tool
