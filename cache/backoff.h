#pragma once
// When to ask the directory again (docs/design.md section 8). `random01` is a draw
// from [0, 1), passed in so that tests can fix it.

#include <algorithm>
#include <cmath>

namespace keydir {

// After the n-th failure in a row (n >= 1):
// min(max, 2^(n-1) x base) x (1 + random).
inline double backoffSeconds(int failures, double base, double max, double random01) {
  double exponential = base * std::pow(2.0, std::max(0, failures - 1));
  return std::min(max, exponential) * (1 + random01);
}

// A poll period with +-20% jitter, so that caches started together spread out.
inline double jitteredSeconds(double period, double random01) {
  return period * (0.8 + 0.4 * random01);
}

}  // namespace keydir
