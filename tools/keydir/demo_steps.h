#pragma once
// What every step of `keydir demo` shares: the folder it works in, the
// numbered lines it prints, and how a step that goes wrong stops the run.

#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "certs/error.h"
#include "certs/openssl_ptr.h"

namespace keydir::tool::demo {

inline constexpr const char* kCallee = "12025550150";  // acme's, inside SPC 1234
inline constexpr const char* kCaller = "13125550100";  // the carrier's own range

// A step that did not go as the demo expects: says which and why.
struct DemoFailure {
  std::string what;
};

template <class T>
T orFail(Result<T> result, const std::string& what) {
  if (!result) throw DemoFailure{what + ": " + result.error().message};
  if constexpr (!std::is_void_v<T>) return std::move(*result);
}

struct Identity {
  std::vector<X509Ptr> chain;
  EvpPkeyPtr key;
};

class Narrator {
 public:
  explicit Narrator(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  // The next step's line, and a second one indented under it.
  void say(const std::string& first, const std::string& second = "");
  void refused(const std::string& line);
  // Writes `content` to `name` in the folder; returns the name.
  std::string file(const std::string& name, const std::string& content);
  // pki/NAME.chain.pem and pki/NAME.key.
  Identity identity(const std::string& name) const;

 private:
  std::filesystem::path dir_;
  int step_ = 0;
};

}  // namespace keydir::tool::demo
