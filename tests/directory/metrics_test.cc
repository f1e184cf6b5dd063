// The request series every server counts into: each (route, status) asked
// of prometheus-cpp's families once and kept, so the counts must still be
// what each request added, and a histogram per route whatever its status.

#include "directory/http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace keydir {
namespace {

TEST(MetricsTest, KeptSeriesCountEveryRequestByRouteAndStatus) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 250; ++i) {
        metrics.observeRequest("/v1/tns/{tn}/keys", 200, 0.0001);
        if (i % 5 == 0) metrics.observeRequest("/v1/tns/{tn}/keys", 404, 0.002);
        metrics.observeRequest("/healthz", 200, 0.0001);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string text = metrics.render();
  EXPECT_NE(text.find(R"(keydir_http_requests_total{route="/v1/tns/{tn}/keys",status="200"} 1000)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(keydir_http_requests_total{route="/v1/tns/{tn}/keys",status="404"} 200)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(keydir_http_requests_total{route="/healthz",status="200"} 1000)"),
            std::string::npos);
  // One histogram per route: both statuses of the lookup route in it.
  EXPECT_NE(text.find(R"(keydir_http_request_seconds_count{route="/v1/tns/{tn}/keys"} 1200)"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          R"(keydir_http_request_seconds_bucket{route="/v1/tns/{tn}/keys",le="0.0005"} 1000)"),
      std::string::npos);
}

}  // namespace
}  // namespace keydir
