#pragma once
// Members of JSON from outside (headers, bodies, feed lines, answers of
// another server). nlohmann's value() throws when a member exists with
// another type, and an exception a caller does not expect is a crash
// (the JWE fuzz target found `"alg": {...}` doing it). These give the
// fallback instead, and the caller's own checks then refuse the input.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>

namespace keydir {

template <class T>
T fieldOr(const nlohmann::json& object, std::string_view name, T fallback) {
  if (!object.is_object()) return fallback;
  auto member = object.find(std::string(name));
  if (member == object.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!member->is_string()) return fallback;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!member->is_boolean()) return fallback;
  } else {
    static_assert(std::is_integral_v<T>, "a string, a boolean or an integer");
    if (!member->is_number_integer()) return fallback;
  }
  return member->get<T>();
}

// The member `name` when it is a string; "" when absent, of another type,
// or when `object` is not an object.
inline std::string textField(const nlohmann::json& object, std::string_view name) {
  return fieldOr<std::string>(object, name, "");
}

}  // namespace keydir
