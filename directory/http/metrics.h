#pragma once
// Prometheus metrics of the directory (GET /metrics, text format 0.0.4),
// through prometheus-cpp. Thread-safe.

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace keydir {

class Metrics {
 public:
  Metrics();
  // `route` is the route's pattern ("/v1/tns/{tn}/keys"), never a raw path,
  // so that label values stay few and hold no TN.
  void observeRequest(const std::string& route, int status, double seconds);
  void setLiveKeys(double count) { live_keys_.Set(count); }
  void setSequence(double sequence) { sequence_.Set(sequence); }
  // Finished lookup answers held, what their index counts against the
  // memory budget, and what they take of their file.
  void setHeldAnswers(double count, double bytes, double file_bytes) {
    held_answers_.Set(count);
    held_answer_bytes_.Set(bytes);
    held_answer_file_bytes_.Set(file_bytes);
  }
  // Numbers whose CPS lookup answer is held (directory/cps_answers.h), and
  // the bytes they and their answers count against the bound.
  void setHeldCpsAnswers(double numbers, double bytes) {
    held_cps_answers_.Set(numbers);
    held_cps_answer_bytes_.Set(bytes);
  }
  void countRegistration(bool created) {
    (created ? registrations_ : re_registrations_).Increment();
  }
  void countRevocation() { revocations_.Increment(); }
  void countPublication(bool created) { (created ? publications_ : re_publications_).Increment(); }
  std::string render() const;
  // For an application's own families (the cache's), rendered with these.
  prometheus::Registry& registry() { return *registry_; }

 private:
  // The two series one (route, status) counts into.
  struct RequestSeries {
    prometheus::Counter* count;
    prometheus::Histogram* latency;
  };
  RequestSeries& seriesFor(const std::string& route, int status);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  // Family::Add builds a map of the labels and, for a histogram, a whole
  // new histogram before it finds the one it holds: a tenth of a lookup's
  // time. Each (route, status) is asked of the families once, and its
  // series kept here (a family keeps its series for as long as it lives).
  std::mutex series_mutex_;
  std::unordered_map<std::string, std::unordered_map<int, RequestSeries>> series_;  // route, status
  prometheus::Gauge& live_keys_;
  prometheus::Gauge& sequence_;
  prometheus::Gauge& held_answers_;
  prometheus::Gauge& held_answer_bytes_;
  prometheus::Gauge& held_answer_file_bytes_;
  prometheus::Gauge& held_cps_answers_;
  prometheus::Gauge& held_cps_answer_bytes_;
  prometheus::Family<prometheus::Counter>& registration_family_;
  prometheus::Counter& registrations_;
  prometheus::Counter& re_registrations_;
  prometheus::Counter& revocations_;
  prometheus::Family<prometheus::Counter>& publication_family_;
  prometheus::Counter& publications_;
  prometheus::Counter& re_publications_;
};

}  // namespace keydir
