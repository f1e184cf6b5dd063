#include "directory/http/metrics.h"

#include <prometheus/text_serializer.h>

namespace keydir {
namespace {

// A gauge with no labels: one series, named and explained.
prometheus::Gauge& unlabelledGauge(prometheus::Registry& registry, const std::string& name,
                                   const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("keydir_http_requests_total")
                    .Help("HTTP requests by route pattern and status")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("keydir_http_request_seconds")
                   .Help("Time to answer a request, by route pattern")
                   .Register(*registry_)),
      live_keys_(unlabelledGauge(*registry_, "keydir_live_keys",
                                 "Registered keys that are neither revoked nor expired")),
      sequence_(unlabelledGauge(*registry_, "keydir_sequence", "Number of the last change stored")),
      held_answers_(unlabelledGauge(*registry_, "keydir_lookup_answers_held",
                                    "Finished lookup answers held")),
      held_answer_bytes_(unlabelledGauge(*registry_, "keydir_lookup_answers_bytes",
                                         "Bytes the held lookup answers' index counts against "
                                         "lookup_answers_mib")),
      held_answer_file_bytes_(unlabelledGauge(*registry_, "keydir_lookup_answers_file_bytes",
                                              "Bytes the held lookup answers take of their file "
                                              "(lookup_answers_file_mib)")),
      held_cps_answers_(unlabelledGauge(*registry_, "keydir_cps_answers_held",
                                        "Numbers whose CPS lookup answer is held")),
      held_cps_answer_bytes_(unlabelledGauge(*registry_, "keydir_cps_answers_bytes",
                                             "Bytes the held CPS lookup answers count against "
                                             "an eighth of lookup_answers_mib")),
      registration_family_(prometheus::BuildCounter()
                               .Name("keydir_key_registrations_total")
                               .Help("Key registrations accepted, by whether the key was new")
                               .Register(*registry_)),
      registrations_(registration_family_.Add({{"new", "true"}})),
      re_registrations_(registration_family_.Add({{"new", "false"}})),
      revocations_(prometheus::BuildCounter()
                       .Name("keydir_key_revocations_total")
                       .Help("Keys revoked")
                       .Register(*registry_)
                       .Add({})),
      publication_family_(prometheus::BuildCounter()
                              .Name("keydir_advertisements_published_total")
                              .Help("CPS advertisements accepted, by whether they were new")
                              .Register(*registry_)),
      publications_(publication_family_.Add({{"new", "true"}})),
      re_publications_(publication_family_.Add({{"new", "false"}})) {}

Metrics::RequestSeries& Metrics::seriesFor(const std::string& route, int status) {
  std::lock_guard lock(series_mutex_);
  // Found by the route's own string and the status: nothing is built for
  // a request whose series are kept.
  auto [at, fresh] = series_[route].try_emplace(status);
  if (fresh) {
    static const prometheus::Histogram::BucketBoundaries kBounds = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    at->second.count = &requests_.Add({{"route", route}, {"status", std::to_string(status)}});
    at->second.latency = &latency_.Add({{"route", route}}, kBounds);
  }
  return at->second;
}

void Metrics::observeRequest(const std::string& route, int status, double seconds) {
  RequestSeries& series = seriesFor(route, status);
  series.count->Increment();
  series.latency->Observe(seconds);
}

std::string Metrics::render() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace keydir
