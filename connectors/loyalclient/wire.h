#pragma once

// LoyalClient "basic REST integration": request bodies and answer parsing,
// apart from HTTP plumbing so both sides are tested with recorded JSON.
// Amounts are rubles and points are whole or decimal JSON numbers; the
// broker's minor units are converted here and nowhere else.

#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/core/outcome.h"
#include "connectors/core/types.h"

namespace loyalty::connectors::loyalclient {

inline constexpr std::string_view kVendorName = "LoyalClient";

struct Recalc {
  int64_t amount_minor = 0;
  int64_t percent_bp = 0;
  LevelType type = LevelType::kUnknown;
  int64_t spend_centipoints = 0;
  int64_t earn_centipoints = 0;
};

struct Held {
  int64_t until_unix = 0;
  int64_t amount_centipoints = 0;
};

struct Retail {
  int64_t amount_minor = 0;
  int64_t total_minor = 0;
  int64_t spent_centipoints = 0;
  int64_t earned_centipoints = 0;
};

std::string ClientBody(std::string_view search, std::string_view point);
std::string RecalcBody(std::string_view client, std::string_view point, int64_t amount_minor);
// `duration_minutes` 0 leaves the vendor's default (10 minutes).
std::string HoldBody(std::string_view client, std::string_view point, int64_t amount_centipoints,
                     int duration_minutes);
std::string ReleaseBody(std::string_view client, std::string_view point);
std::string RetailBody(std::string_view client, std::string_view point, int64_t amount_minor,
                       int64_t spend_centipoints);

// Each parser takes the HTTP status and body and returns the vendor's answer,
// its refusal (422 {field: message}), or a failure.
Outcome<Account> ParseClient(int status, std::string_view body);
Outcome<Recalc> ParseRecalc(int status, std::string_view body);
Outcome<Held> ParseHold(int status, std::string_view body);
Outcome<ReleaseResult> ParseRelease(int status, std::string_view body);
Outcome<Retail> ParseRetail(int status, std::string_view body);

// The same parsers reading every answer through nlohmann's tree: the
// reference the in-place reading above is checked against
// (fuzz/vendor_wire_fuzzer.cc, tests/unit/loyalclient_wire_test.cc).
namespace reference {
Outcome<Account> ParseClient(int status, std::string_view body);
Outcome<Recalc> ParseRecalc(int status, std::string_view body);
Outcome<Retail> ParseRetail(int status, std::string_view body);
}  // namespace reference

// Hold duration in whole minutes for a TTL in seconds: rounded up, at most 10.
// The document: "Duration can't be more than 10" (minutes).
inline constexpr int kMaxHoldMinutes = 10;
int HoldMinutes(int32_t ttl_seconds);

}  // namespace loyalty::connectors::loyalclient
