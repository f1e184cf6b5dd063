// The industry interface (ATIS-1000096 style, as TransNexus's STI-CPS and
// draft-wendt-stir-vesper-oob serve it): plaintext PASSporTs published and
// retrieved per pair of numbers by carriers holding a STIR certificate,
// each request carrying its own JWT (cps/bearer_jwt.h).

#include <optional>

#include "certs/tn.h"
#include "cps/routes.h"

namespace keydir {
namespace {

// The text of the body's "passports" array exactly as sent: the digest in
// the JWT is over it. Empty when the body has none.
std::string passportsAsSent(std::string_view body) {
  const std::size_t name = body.find("\"passports\"");
  if (name == std::string_view::npos) return "";
  const std::size_t open = body.find('[', name);
  if (open == std::string_view::npos) return "";
  bool quoted = false, escaped = false;
  int depth = 0;
  for (std::size_t at = open; at < body.size(); ++at) {
    const char c = body[at];
    if (escaped) {
      escaped = false;
    } else if (quoted) {
      escaped = c == '\\';
      quoted = c != '"';
    } else if (c == '"') {
      quoted = true;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']' && --depth == 0) {
      return std::string(body.substr(open, at - open + 1));
    }
  }
  return "";
}

struct Pair {
  std::string dest, orig;
  std::string key() const { return dest + "/" + orig; }
};

Result<Pair> pairOf(Exchange& exchange, std::size_t first) {
  auto dest = canonicalTn(exchange.param(first));
  if (!dest) return failWithContext(dest.error(), "DEST");
  auto orig = canonicalTn(exchange.param(first + 1));
  if (!orig) return failWithContext(orig.error(), "ORIG");
  return Pair{*dest, *orig};
}

void publish(Exchange& exchange, std::optional<std::string> spc, std::size_t first) {
  CpsService& service = cps(exchange);
  if (!exchange.admitWrite()) return service.cps_metrics->countRefusal("rate-limited");
  auto pair = pairOf(exchange, first);
  if (!pair) return sendRefusal(exchange, pair.error());
  auto body = exchange.body();
  if (!body) return sendRefusal(exchange, body.error());
  auto parsed = nlohmann::json::parse(*body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("passports") || !parsed["passports"].is_array() ||
      parsed["passports"].empty() ||
      parsed["passports"].size() > service.config.max_jwes_per_entry) {
    return sendRefusal(exchange,
                       {ErrorCode::kMalformed,
                        "the body should be {\"passports\": [compact PASSporT, ..]}, 1 to " +
                            std::to_string(service.config.max_jwes_per_entry) + " of them"});
  }
  std::vector<std::string> passports;
  for (const auto& passport : parsed["passports"]) {
    if (!passport.is_string() || passport.get<std::string>().empty() ||
        passport.get<std::string>().size() > service.config.max_jwe_bytes) {
      return sendRefusal(exchange, {ErrorCode::kMalformed,
                                    "each passport is a compact JWS string of at most " +
                                        std::to_string(service.config.max_jwe_bytes) + " bytes"});
    }
    passports.push_back(passport.get<std::string>());
  }
  BearerRequest request;
  request.action = "publish";
  request.spc = spc;
  request.dest = pair->dest;
  request.orig = pair->orig;
  request.passports_as_sent = passportsAsSent(*body);
  request.passports = parsed["passports"];
  auto verified = authorizeBearer(exchange, request);
  if (!verified) return sendAuthRefusal(exchange, verified.error());
  auto kept = service.store->publish(pair->key(), passports, verified->retention,
                                     service.config.max_entries_per_tn);
  if (!kept) return sendRefusal(exchange, kept.error());
  service.cps_metrics->countStore();
  exchange.setHeader("Cache-Control", "no-store");
  exchange.sendJson(201, nlohmann::json{{"passports", passports.size()},
                                        {"expires", rfc3339(verified->retention)}}
                             .dump());
}

void retrieve(Exchange& exchange, std::optional<std::string> spc, std::size_t first) {
  CpsService& service = cps(exchange);
  auto pair = pairOf(exchange, first);
  if (!pair) return sendRefusal(exchange, pair.error());
  BearerRequest request;
  request.action = "retrieve";
  request.spc = spc;
  request.dest = pair->dest;
  request.orig = pair->orig;
  auto verified = authorizeBearer(exchange, request);
  if (!verified) return sendAuthRefusal(exchange, verified.error());
  auto live = service.store->published(pair->key(), exchange.now());
  if (!live) return sendRefusal(exchange, live.error());
  if (live->empty()) {
    return sendRefusal(exchange,
                       {ErrorCode::kNotFound, "no passports are live for this pair of numbers"});
  }
  service.cps_metrics->countFetch(CpsMetrics::Fetch::kPair);
  exchange.setHeader("Cache-Control", "no-store");
  exchange.sendJson(200, nlohmann::json{{"passports", *live}}.dump());
}

}  // namespace

void servePublishWithSpc(Exchange& exchange) { publish(exchange, exchange.param(0), 1); }
void servePublish(Exchange& exchange) { publish(exchange, std::nullopt, 0); }
void serveRetrieveWithSpc(Exchange& exchange) { retrieve(exchange, exchange.param(0), 1); }
void serveRetrieve(Exchange& exchange) { retrieve(exchange, std::nullopt, 0); }

}  // namespace keydir
