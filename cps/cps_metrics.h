#pragma once
// The CPS's own metrics (docs/design.md section 13), registered beside the HTTP
// metrics every keydir server has, so that /metrics renders both.
// Thread-safe.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>

namespace keydir {

class CpsMetrics {
 public:
  explicit CpsMetrics(prometheus::Registry& registry);

  enum class Fetch { kNumber, kId, kPrefix, kPair };
  void countStore() { stores_.Increment(); }
  void countFetch(Fetch kind);
  void countDummiesMade(double count) { dummies_made_.Increment(count); }
  void countAgedOut(double count) { aged_out_.Increment(count); }
  // `reason` is a problem type ("malformed", "rate-limited", ...).
  void countRefusal(const std::string& reason);
  void setLiveEntries(double count) { live_entries_.Set(count); }
  void countTokenIssued() { tokens_issued_.Increment(); }
  void countTokenRedeemed() { tokens_redeemed_.Increment(); }
  void setTokensSpentHeld(double count) { tokens_spent_held_.Set(count); }

 private:
  prometheus::Counter& stores_;
  prometheus::Family<prometheus::Counter>& fetch_family_;
  prometheus::Counter& number_fetches_;
  prometheus::Counter& id_fetches_;
  prometheus::Counter& prefix_fetches_;
  prometheus::Counter& pair_fetches_;
  prometheus::Counter& dummies_made_;
  prometheus::Counter& aged_out_;
  prometheus::Family<prometheus::Counter>& refusals_;
  prometheus::Gauge& live_entries_;
  prometheus::Counter& tokens_issued_;
  prometheus::Counter& tokens_redeemed_;
  prometheus::Gauge& tokens_spent_held_;
};

}  // namespace keydir
