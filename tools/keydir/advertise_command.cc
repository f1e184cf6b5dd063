#include <nlohmann/json.hpp>

#include "advertise/advertisement_signer.h"
#include "advertise/advertisement_verifier.h"
#include "certs/jws.h"
#include "certs/pem.h"
#include "directory/client/directory_client.h"
#include "tools/keydir/command.h"
#include "tools/keydir/options.h"

namespace keydir::tool {

int runAdvertise(const std::vector<std::string_view>& args) {
  Options options(
      "keydir advertise --cert CHAIN --key KEY --entry SCOPE=URI... [--valid-for 30d]\n"
      "       [--out FILE] [--publish URL [--tls-ca PEM]]",
      "Makes a CPS advertisement (draft-ietf-stir-servprovider-oob section 4): the\n"
      "entries, e.g. --entry 0-1234=https://cps.example.com, signed as a compact\n"
      "ES256 JWS with CHAIN (leaf first) in x5c and the time now as iat. Each scope\n"
      "must lie inside the certificate's TNAuthList, each URI must be https.\n"
      "Prints {\"id\", \"jws\", \"iat\", \"exp\"}; --out also writes the JWS to FILE.\n"
      "With --publish URL, posts it to that directory and prints the directory's\n"
      "record; a newer advertisement from the same key replaces the older one.");
  options.value("cert", "PEM chain of the signing STIR certificate, leaf first")
      .value("key", "its private key (PEM)")
      .value("entry", "SCOPE=URI, e.g. 1-12025550100-100=https://cps.example", true)
      .value("valid-for", "sets exp this far ahead (clamped to the certificate's notAfter)")
      .value("out", "file to write the JWS to")
      .value("publish", "directory base URL to publish to")
      .value("tls-ca", "PEM bundle that signed the directory's TLS certificate");
  if (auto exit = options.parse(args)) return *exit;
  if (!options.has("cert") || !options.has("key") || !options.has("entry")) {
    return options.usageError("--cert, --key and at least one --entry are required");
  }
  AdvertisementContent content{{}, nowInstant(), std::nullopt};
  for (const auto& text : options.all("entry")) {
    auto entry = parseCpsEntryAssignment(text);
    if (!entry) return reportError(entry.error());
    content.entries.push_back(std::move(*entry));
  }
  if (auto valid_for = options.get("valid-for")) {
    auto duration = parseDuration(*valid_for);
    if (!duration) return options.usageError(duration.error().message);
    content.exp = content.iat + *duration;
  }
  std::optional<DirectoryClient> client;
  if (auto server = options.get("publish")) {
    auto made = DirectoryClient::create(*server, options.get("tls-ca", ""));
    if (!made) return options.usageError(made.error().message);
    client = std::move(*made);
  }
  auto chain = loadCertificates(*options.get("cert"));
  if (!chain) return reportError(chain.error());
  auto key = loadPrivateKey(*options.get("key"));
  if (!key) return reportError(key.error());

  auto jws = signAdvertisement(content, key->get(), *chain);
  if (!jws) return reportError(jws.error());
  if (auto out = options.get("out")) {
    if (auto ok = writeFile(*out, *jws + "\n"); !ok) return reportError(ok.error());
  }
  if (client) {
    auto answer = client->call("POST", "/v1/advertisements", *jws, "application/jose");
    if (!answer) return reportError(answer.error());
    printJson(nlohmann::json::parse(answer->body).dump(2));
    return kExitOk;
  }
  nlohmann::json made = {{"id", advertisementId(*jws)}, {"jws", *jws}};
  // exp as signed, after clamping to the certificate's notAfter.
  nlohmann::json header = parseJws(*jws)->header;
  made["iat"] = rfc3339(Instant(std::chrono::seconds(header["iat"].get<std::int64_t>())));
  if (header.contains("exp")) {
    made["exp"] = rfc3339(Instant(std::chrono::seconds(header["exp"].get<std::int64_t>())));
  }
  printJson(made.dump(2));
  return kExitOk;
}

}  // namespace keydir::tool
