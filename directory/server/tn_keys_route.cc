#include "certs/tn.h"
#include "directory/server/routes.h"

namespace keydir {

void serveTnKeys(Exchange& exchange) {
  DirectoryService& service = directory(exchange);
  const Instant now = exchange.now();
  auto send = [&](const LookupAnswers::Answer& answer) {
    auto max_age = std::chrono::seconds(service.config.lookup_max_age_seconds);
    if (answer.earliest_expiry) {
      max_age = std::min(
          max_age, std::chrono::duration_cast<std::chrono::seconds>(*answer.earliest_expiry - now));
    }
    exchange.sendTaggedJson(answer.body, max_age, answer.etag);
  };
  auto tn = canonicalTn(exchange.param(0));
  if (!tn) return exchange.sendProblem(tn.error());
  // A held answer is used only once the held answers have caught up with
  // the store; if that fails, the store answers (or says why it cannot).
  // A number not held needs no catching up: it will be answered afresh.
  LookupAnswers* held = service.lookup_answers.get();
  if (held && held->holds(*tn, now)) {
    if (!held->catchUp()) {
      held = nullptr;
    } else if (LookupAnswers::Answer answer; held->copy(*tn, now, answer)) {
      return send(answer);
    }
  }
  std::int64_t as_of = 0;
  auto made = tnKeysAnswer(*service.registry, *tn, now, &as_of);
  if (!made) return exchange.sendProblem(made.error());
  // Kept before it is sent: the answer may reach the client at once, and
  // what the client does next may look for it.
  if (held) held->keep(*tn, as_of, *made);
  send(*made);
}

}  // namespace keydir
