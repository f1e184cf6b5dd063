#include "directory/feed_follower.h"

#include <chrono>
#include <limits>

#include "certs/json_fields.h"
#include "directory/feed_format.h"
#include "directory/feed_records.h"
#include "directory/revocation.h"
#include "directory/store/feed_hashes.h"
#include "directory/store/feed_store.h"

namespace keydir {
namespace {

constexpr std::size_t kMaxChainLength = 5;

std::string at(std::int64_t seq) { return "change " + std::to_string(seq) + ": "; }

}  // namespace

FeedFollower::FeedFollower(DirectoryClient& upstream, SqlKeyStore& keys, AdvertisementStore& ads,
                           FeedStore& feed, const TrustStore& trust, const Clock& clock,
                           FollowerOptions options)
    : upstream_(upstream),
      keys_(keys),
      ads_(ads),
      feed_(feed),
      trust_(trust),
      clock_(clock),
      options_(std::move(options)) {}

std::string FeedFollower::feedPath(const std::string& route) const {
  return route + (options_.wide_only ? (route.find('?') == std::string::npos ? "?" : "&") +
                                           std::string("scope=wide")
                                     : "");
}

Result<std::string> receivedDigest(FeedStore& replica) {
  auto status = replica.status();
  if (!status) return std::unexpected(status.error());
  auto state = replica.followerState();
  if (!state) return std::unexpected(state.error());
  // What it holds, and what it refused that the upstream still counts.
  // Following the wide feed, the narrow records it holds from buckets do
  // not count.
  const bool wide = *state && (*state)->scope == "wide";
  Digest digest = digestFromHex(wide ? status->wide_digest : status->digest);
  if (*state) xorInto(digest, digestFromHex((*state)->refused_digest));
  return digestHex(digest);
}

std::unexpected<Error> FeedFollower::rollback(const std::string& why) {
  if (options_.on_rollback) options_.on_rollback(why);
  return fail(ErrorCode::kMalformed, why);
}

Result<void> FeedFollower::refuse(Refusal refusal, SyncReport& report) {
  auto noted = feed_.noteRefused(refusal.kind, refusal.id, refusal.reason);
  if (!noted) return std::unexpected(noted.error());
  if (options_.on_refused) options_.on_refused(refusal);
  report.refused.push_back(std::move(refusal));
  return {};
}

Result<SyncReport> FeedFollower::sync() {
  auto state = feed_.followerState();
  if (!state) return std::unexpected(state.error());
  std::string scope = options_.wide_only ? "wide" : "all";
  if (!*state || (*state)->sequence == 0 || (*state)->upstream != upstream_.baseUrl() ||
      (*state)->scope != scope) {
    return takeSnapshot();
  }
  SyncReport report;
  auto followed = followChanges((*state)->sequence, report);
  if (!followed && followed.error().code == ErrorCode::kGone) return takeSnapshot();
  if (!followed) return std::unexpected(followed.error());
  return report;
}

Result<void> FeedFollower::followChanges(std::int64_t since, SyncReport& report) {
  const std::string scope = options_.wide_only ? "wide" : "all";
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    auto answer = upstream_.call("GET", feedPath("/v1/changes?since=" + std::to_string(since) +
                                                 "&limit=" + std::to_string(options_.page_limit)));
    if (!answer) return std::unexpected(answer.error());
    auto page = parseChangePage(answer->body);
    if (!page) return failWithContext(page.error(), "changes since " + std::to_string(since));
    if (page->since != since || page->to < since) {
      return rollback("the page asked since " + std::to_string(since) + " answers since " +
                      std::to_string(page->since) + " to " + std::to_string(page->to) +
                      ": the directory's sequence went backwards (rollback refused)");
    }
    // The page is applied, checked and its place saved in one transaction:
    // a page whose digest disagrees leaves nothing behind, so the replica
    // stays at its last good state.
    ConnectionPool::Pin pin(keys_.pool());
    Transaction whole_page(*pin);
    if (auto begun = whole_page.begun(); !begun) return begun;
    std::int64_t previous = since;
    for (const ParsedChange& change : page->changes) {
      if (change.seq <= previous || change.seq > page->to) {
        return fail(ErrorCode::kMalformed, at(change.seq) + "its sequence does not follow " +
                                               std::to_string(previous) + " within the page to " +
                                               std::to_string(page->to) +
                                               " (a sequence going backwards is refused)");
      }
      previous = change.seq;
      auto applied = change.op == "put"
                         ? applyPut(change.seq, change.kind, change.id, change.body, report)
                         : applyRemove(change.seq, change.kind, change.id, change.reason,
                                       change.proof, change.by, "", report);
      if (!applied) return std::unexpected(applied.error());
      if (*applied) ++report.applied;
    }
    auto digest = receivedDigest(feed_);
    if (!digest) return std::unexpected(digest.error());
    if (*digest != page->digest) {
      return fail(ErrorCode::kBadSignature,
                  "after change " + std::to_string(page->to) + " the directory's digest is " +
                      page->digest + " but what it fed makes " + *digest +
                      "; the sequence stays at " + std::to_string(since) + ": take a snapshot");
    }
    if (auto ok = feed_.saveFollowerState({upstream_.baseUrl(), scope, page->to, ""}); !ok) {
      return ok;
    }
    if (auto ok = whole_page.commit(); !ok) return ok;
    report.sequence = since = page->to;
    if (options_.on_progress) {
      options_.on_progress(
          {report.applied, 0,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
    }
    if (!page->more) return {};
    if (options_.should_stop && options_.should_stop()) {
      return fail(ErrorCode::kUnavailable, "stopped after change " + std::to_string(since));
    }
  }
}

Result<bool> FeedFollower::applyPut(std::int64_t seq, const std::string& kind,
                                    const std::string& id, const nlohmann::json& body,
                                    SyncReport& report) {
  const Instant now = clock_.now();
  auto refused = [&](const Error& error) -> Result<bool> {
    if (auto ok = refuse({seq, kind, id, "put", refusalReason(error), error.message}, report);
        !ok) {
      return std::unexpected(ok.error());
    }
    return false;
  };
  auto accept = [&]() -> Result<void> {
    auto forgotten = feed_.forgetRefused(kind, id);
    if (!forgotten) return std::unexpected(forgotten.error());
    return {};
  };
  if (kind == "key") {
    auto key = verifiedFeedKey(id, body, trust_, now, keys_.spcMap());
    if (!key) return refused(key.error());
    if (auto ok = accept(); !ok) return std::unexpected(ok.error());
    auto stored = keys_.insertKey(*key, now, std::numeric_limits<std::size_t>::max());
    if (!stored) return std::unexpected(stored.error());
    return true;
  }
  if (kind == "ad") {
    auto ad = verifiedFeedAd(id, body, trust_, now, keys_.spcMap());
    if (!ad) return refused(ad.error());
    if (auto ok = accept(); !ok) return std::unexpected(ok.error());
    auto stored = ads_.publishAdvertisement(*ad, now);
    if (!stored && stored.error().code == ErrorCode::kExpired) return refused(stored.error());
    if (!stored) return std::unexpected(stored.error());
    return true;
  }
  if (kind == "spc") {
    auto entry = parsedFeedSpcEntry(id, body);
    if (!entry) return refused(entry.error());
    if (auto ok = accept(); !ok) return std::unexpected(ok.error());
    auto stored = feed_.putSpcEntry(*entry, now);
    if (!stored) return std::unexpected(stored.error());
    return true;
  }
  return fail(ErrorCode::kMalformed, at(seq) + "unknown kind '" + kind + "'");
}

Result<bool> FeedFollower::applyRemove(std::int64_t seq, const std::string& kind,
                                       const std::string& id, const std::string& reason,
                                       const std::string& proof, const std::string& by,
                                       const std::string& note, SyncReport& report) {
  const Instant now = clock_.now();
  auto held = feed_.holds(kind, id);
  if (!held) return std::unexpected(held.error());
  if (!*held) {
    // One it refused leaves the upstream's set, and so its own count.
    auto forgotten = feed_.forgetRefused(kind, id);
    if (!forgotten) return std::unexpected(forgotten.error());
    return false;
  }
  auto refused = [&](ErrorCode code, const std::string& why) -> Result<bool> {
    if (auto ok = refuse({seq, kind, id, "remove", std::string(errorTypeName(code)),
                          at(seq) + "removal (" + reason + ") of " + kind + " " + id + ": " + why},
                         report);
        !ok) {
      return std::unexpected(ok.error());
    }
    return false;
  };
  if (reason == "revoked") {
    if (kind != "key") return refused(ErrorCode::kMalformed, "only keys are revoked");
    auto key = keys_.findKey(id);
    if (!key) return std::unexpected(key.error());
    auto iat = claimedRevocationTime(proof);
    if (!iat) return refused(iat.error().code, "its proof: " + iat.error().message);
    auto claim = verifyRevocation(proof, trust_, *iat, &keys_.spcMap(), kMaxChainLength);
    if (!claim) return refused(claim.error().code, "its proof: " + claim.error().message);
    if (claim->sub != id) return refused(ErrorCode::kMalformed, "its proof revokes " + claim->sub);
    if (auto ok = checkRevocationCovers(*claim, (*key)->scopes, &keys_.spcMap()); !ok) {
      return refused(ok.error().code, ok.error().message);
    }
  } else if (reason == "expired") {
    std::optional<Instant> expires;
    if (kind == "key") {
      auto key = keys_.findKey(id);
      if (!key) return std::unexpected(key.error());
      expires = (*key)->expires;
    } else if (kind == "ad") {
      auto ad = ads_.findAdvertisement(id);
      if (!ad) return std::unexpected(ad.error());
      expires = (*ad)->expires;
    }
    if (!expires) return refused(ErrorCode::kMalformed, "SPC-map entries do not expire");
    if (*expires > now) {
      return refused(ErrorCode::kNotAuthorized,
                     "it expires only at " + rfc3339(*expires) + ", after now " + rfc3339(now));
    }
  } else if (reason == "replaced") {
    auto newer = feed_.holds("ad", by);
    if (!newer) return std::unexpected(newer.error());
    if (kind != "ad" || !*newer) {
      return refused(ErrorCode::kNotAuthorized,
                     "the replacing advertisement '" + by + "' is not held");
    }
  }
  auto removed = feed_.removeRecord(kind, id, reason, reason == "revoked" ? proof : note, now);
  if (!removed) return std::unexpected(removed.error());
  return *removed;
}

}  // namespace keydir
