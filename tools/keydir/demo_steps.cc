#include "tools/keydir/demo_steps.h"

#include <iostream>

#include "certs/pem.h"

namespace keydir::tool::demo {

void Narrator::say(const std::string& first, const std::string& second) {
  std::cout << std::to_string(++step_) << ". " << first << "\n";
  if (!second.empty()) std::cout << "   " << second << "\n";
  std::cout.flush();
}

void Narrator::refused(const std::string& line) {
  std::cout << "   refused, as it should be: " << line << "\n";
}

std::string Narrator::file(const std::string& name, const std::string& content) {
  orFail(writeFile(dir_ / name, content), "writing " + name);
  return name;
}

Identity Narrator::identity(const std::string& name) const {
  return {orFail(loadCertificates(dir_ / "pki" / (name + ".chain.pem")), "loading " + name),
          orFail(loadPrivateKey(dir_ / "pki" / (name + ".key")), "loading " + name + "'s key")};
}

}  // namespace keydir::tool::demo
