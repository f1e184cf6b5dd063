// The request series every server counts into: each (route, status) asked
// of prometheus-cpp's families once and kept, so the counts must still be
// what each request added, and a histogram per route whatever its status.

#include "directory/http/metrics.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/support/metric_value.h"
#include "tests/support/on_threads.h"

namespace keydir {
namespace {

using testing::metricValue;

TEST(MetricsTest, KeptSeriesCountEveryRequestByRouteAndStatus) {
  Metrics metrics;
  std::atomic<int> rounds = 0;
  testing::onThreads(4, 250, [&] {
    const bool also_404 = rounds++ % 5 == 0;
    metrics.observeRequest("/v1/tns/{tn}/keys", 200, 0.0001);
    if (also_404) metrics.observeRequest("/v1/tns/{tn}/keys", 404, 0.002);
    metrics.observeRequest("/healthz", 200, 0.0001);
  });
  const std::string text = metrics.render();
  auto value = [&](const std::string& line) { return metricValue(text, line, -1); };
  EXPECT_EQ(value(R"(keydir_http_requests_total{route="/v1/tns/{tn}/keys",status="200"})"), 1000)
      << text;
  EXPECT_EQ(value(R"(keydir_http_requests_total{route="/v1/tns/{tn}/keys",status="404"})"), 200);
  EXPECT_EQ(value(R"(keydir_http_requests_total{route="/healthz",status="200"})"), 1000);
  // One histogram per route: both statuses of the lookup route in it.
  EXPECT_EQ(value(R"(keydir_http_request_seconds_count{route="/v1/tns/{tn}/keys"})"), 1200);
  EXPECT_EQ(value(R"(keydir_http_request_seconds_bucket{route="/v1/tns/{tn}/keys",le="0.0005"})"),
            1000);
}

}  // namespace
}  // namespace keydir
