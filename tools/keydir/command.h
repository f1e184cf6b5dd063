#pragma once
// A keydir subcommand, as listed in the one dispatch table of main.cc.
// Exit status (docs/design.md section 11): 0 success, 1 refused or invalid input,
// 2 usage error.

#include <string_view>
#include <vector>

namespace keydir::tool {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  std::string_view name;                                  // one or two words: "pki init"
  std::string_view summary;                               // one line for `keydir --help`
  int (*run)(const std::vector<std::string_view>& args);  // args after the name
};

int runPkiInit(const std::vector<std::string_view>& args);
int runPkiIssue(const std::vector<std::string_view>& args);
int runCertInspect(const std::vector<std::string_view>& args);
int runCredentialNew(const std::vector<std::string_view>& args);
int runServe(const std::vector<std::string_view>& args);
int runCache(const std::vector<std::string_view>& args);
int runCps(const std::vector<std::string_view>& args);
int runCpsStore(const std::vector<std::string_view>& args);
int runCpsFetch(const std::vector<std::string_view>& args);
int runCpsTokens(const std::vector<std::string_view>& args);
int runRegister(const std::vector<std::string_view>& args);
int runLookup(const std::vector<std::string_view>& args);
int runRevoke(const std::vector<std::string_view>& args);
int runSpcImport(const std::vector<std::string_view>& args);
int runImport(const std::vector<std::string_view>& args);
int runAdvertise(const std::vector<std::string_view>& args);
int runResolve(const std::vector<std::string_view>& args);
int runWithdraw(const std::vector<std::string_view>& args);
int runPassportSign(const std::vector<std::string_view>& args);
int runPassportVerify(const std::vector<std::string_view>& args);
int runEncrypt(const std::vector<std::string_view>& args);
int runDecrypt(const std::vector<std::string_view>& args);
int runBackup(const std::vector<std::string_view>& args);
int runMigrate(const std::vector<std::string_view>& args);
int runDemo(const std::vector<std::string_view>& args);

}  // namespace keydir::tool
