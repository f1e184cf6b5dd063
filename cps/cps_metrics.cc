#include "cps/cps_metrics.h"

namespace keydir {

CpsMetrics::CpsMetrics(prometheus::Registry& registry)
    : stores_(prometheus::BuildCounter()
                  .Name("keydir_cps_stores_total")
                  .Help("Entries stored by callers, and publishes of the industry interface")
                  .Register(registry)
                  .Add({})),
      fetch_family_(prometheus::BuildCounter()
                        .Name("keydir_cps_fetches_total")
                        .Help("Answers of stored entries, by how they were asked for: number, "
                              "id or prefix; pair for the industry interface's retrievals")
                        .Register(registry)),
      number_fetches_(fetch_family_.Add({{"by", "number"}})),
      id_fetches_(fetch_family_.Add({{"by", "id"}})),
      prefix_fetches_(fetch_family_.Add({{"by", "prefix"}})),
      pair_fetches_(fetch_family_.Add({{"by", "pair"}})),
      dummies_made_(prometheus::BuildCounter()
                        .Name("keydir_cps_dummies_made_total")
                        .Help("Dummy entries made (each is made once, then served until it "
                              "ages out)")
                        .Register(registry)
                        .Add({})),
      aged_out_(prometheus::BuildCounter()
                    .Name("keydir_cps_entries_aged_out_total")
                    .Help("Stored entries forgotten after max_age_seconds")
                    .Register(registry)
                    .Add({})),
      refusals_(prometheus::BuildCounter()
                    .Name("keydir_cps_refusals_total")
                    .Help("Stores and fetches refused, by problem type")
                    .Register(registry)),
      live_entries_(prometheus::BuildGauge()
                        .Name("keydir_cps_entries_live")
                        .Help("Stored entries held now, dummies not counted")
                        .Register(registry)
                        .Add({})),
      tokens_issued_(prometheus::BuildCounter()
                         .Name("keydir_cps_tokens_issued_total")
                         .Help("Storage tokens signed (TokenResponses sent)")
                         .Register(registry)
                         .Add({})),
      tokens_redeemed_(prometheus::BuildCounter()
                           .Name("keydir_cps_tokens_redeemed_total")
                           .Help("Storage tokens taken by stores, each once")
                           .Register(registry)
                           .Add({})),
      tokens_spent_held_(prometheus::BuildGauge()
                             .Name("keydir_cps_tokens_spent_held")
                             .Help("Storage tokens held as spent, kept until their key's last "
                                   "day: what grows with stores between key turns")
                             .Register(registry)
                             .Add({})) {}

void CpsMetrics::countFetch(Fetch kind) {
  (kind == Fetch::kNumber ? number_fetches_
   : kind == Fetch::kId   ? id_fetches_
                          : prefix_fetches_)
      .Increment();
}

void CpsMetrics::countRefusal(const std::string& reason) {
  refusals_.Add({{"reason", reason}}).Increment();
}

}  // namespace keydir
