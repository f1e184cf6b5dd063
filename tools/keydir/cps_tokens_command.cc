#include <Poco/URI.h>

#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "advertise/cps_uri.h"
#include "certs/instant.h"
#include "certs/pem.h"
#include "cps/storage_token_client.h"
#include "directory/client/directory_client.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runCpsTokens(const std::vector<std::string_view>& args) {
  Options options(
      "keydir cps tokens --cps URL --cert CHAIN --key KEY --count N --out FILE\n"
      "       [--name HOST] [--tls-ca PEM]",
      "Fetches N storage tokens from a CPS (docs/design.md section 14; Privacy Pass, RFC\n"
      "9578 type 2) as the holder of a STIR certificate, one blind-signed TokenRequest\n"
      "per request, and adds them to FILE (0600), which `keydir cps store --tokens FILE`\n"
      "spends one at a time. The CPS learns that this certificate took N tokens, never\n"
      "which store spends which. Prints {\"cps\", \"fetched\", \"tokens\", \"file\"}.");
  options.value("cps", "the CPS's URI, as advertised (https://HOST[/PATH])")
      .value("cert", "PEM chain of the STIR certificate (leaf first)")
      .value("key", "its private key (PEM)")
      .value("count", "how many tokens to fetch")
      .value("out", "the token file to add them to")
      .value("name", "the CPS's name, if not its URI's host: the JWTs' audience")
      .value("tls-ca", "PEM bundle that signed the CPS's TLS certificate");
  if (auto exit = options.parse(args)) return *exit;
  for (const char* needed : {"cps", "cert", "key", "count", "out"}) {
    if (!options.get(needed)) return options.usageError(std::string("--") + needed + " is needed");
  }
  std::size_t count = 0;
  const std::string count_text = *options.get("count");
  auto [end, error] =
      std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  if (error != std::errc() || end != count_text.data() + count_text.size() || count < 1 ||
      count > 100000) {
    return options.usageError("--count must be a number from 1 to 100000");
  }
  const std::string cps = *options.get("cps");
  const CpsBase base = cpsBase(cps);
  auto client = DirectoryClient::create(base.origin, options.get("tls-ca", ""));
  if (!client) return options.usageError(client.error().message);
  auto chain = loadCertificates(*options.get("cert"));
  if (!chain) return reportError(chain.error());
  auto key = loadPrivateKey(*options.get("key"));
  if (!key) return reportError(key.error());

  // Tokens already in the file for this CPS are kept; another CPS's are not.
  const std::filesystem::path file = *options.get("out");
  TokenWallet wallet;
  if (std::filesystem::exists(file)) {
    auto kept = readTokenWallet(file);
    if (!kept) return reportError(kept.error());
    if (kept->cps == cps) wallet = std::move(*kept);
  }
  wallet.cps = cps;
  wallet.name = options.get("name", Poco::URI(base.origin).getHost());
  const std::size_t before = wallet.tokens.size();
  auto fetched = fetchStorageTokens(*client, base.path, TokenHolder{&*chain, key->get()}, count,
                                    wallet, nowInstant());
  // What was fetched is kept even when the CPS stopped part way.
  if (auto ok = writeTokenWallet(file, wallet); !ok) return reportError(ok.error());
  if (!fetched) return reportError(fetched.error());
  printJson(nlohmann::json{{"cps", cps},
                           {"fetched", wallet.tokens.size() - before},
                           {"tokens", wallet.tokens.size()},
                           {"file", file.string()}}
                .dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
