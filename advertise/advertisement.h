#pragma once
// The CPS advertisement object of draft-ietf-stir-servprovider-oob section 4:
// a JSON object from scope strings to CPS URIs, e.g.
// {"0-1234":"https://cps.example.com","1-15714341000-99":"https://..."}.
// This file knows the object alone; signing and verification are beside it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "certs/error.h"
#include "certs/tn_scope.h"

namespace keydir {

struct CpsEntry {
  TnScope scope;
  std::string uri;
  bool operator==(const CpsEntry&) const = default;
};

struct AdvertisementLimits {
  std::size_t max_pairs = 1000;
  std::size_t max_bytes = 64 * 1024;  // of the whole JWS
};

// Parses the payload: a non-empty JSON object whose members are a scope
// string each (docs/design.md section 2) naming a CPS URI (checkCpsUri), with no
// scope twice and at most `limits.max_pairs` members. kMalformed names the
// first member that breaks a rule. Entries come back in payload order.
Result<std::vector<CpsEntry>> parseAdvertisementPayload(std::string_view payload,
                                                        const AdvertisementLimits& limits = {});

// Checks entries made by hand (command line, configuration) by the same
// rules as parseAdvertisementPayload.
Result<void> checkCpsEntries(const std::vector<CpsEntry>& entries,
                             const AdvertisementLimits& limits = {});

// The payload object for `entries`, members in the given order.
std::string advertisementPayload(const std::vector<CpsEntry>& entries);

// Parses "SCOPE=URI", as `keydir advertise --entry` takes it.
Result<CpsEntry> parseCpsEntryAssignment(std::string_view text);

}  // namespace keydir
