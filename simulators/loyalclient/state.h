#pragma once

// The LoyalClient simulator's business state and rules, apart from HTTP:
// points, levels, clients with balances, holds that expire, retail
// operations. Every method takes the parsed request body and returns the
// HTTP status and JSON body the vendor's document shows.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "simulators/kit/reply.h"

namespace loyalty::simulator::loyalclient {

using simulator::Reply;

class LoyalClientState {
 public:
  // Seeds from the data file's JSON (see data/loyalclient-seed.json).
  // Throws std::invalid_argument on a malformed seed.
  explicit LoyalClientState(const nlohmann::json& seed);

  bool ApiKeyValid(const std::string& apikey) const;

  Reply Client(const nlohmann::json& request);
  Reply Recalc(const nlohmann::json& request);
  Reply Hold(const nlohmann::json& request);
  Reply Release(const nlohmann::json& request);
  Reply Retail(const nlohmann::json& request);

  // Test and operator views: a client's balance, holds and operations.
  nlohmann::json DescribeClient(const std::string& id);
  // Moves the simulator's clock forward (holds expire against it).
  void AdvanceClock(int64_t seconds);
  int64_t Now() const;

 private:
  struct Level {
    std::string id, title, type;
    int64_t percent_bp = 0;
    int64_t max_spend_percent_bp = 0;
  };
  struct ClientRecord {
    std::string id, name, birthday, email, card, app_code, photo;
    int64_t phone = 0;
    std::string level_id;
    int64_t balance_centipoints = 0;
  };
  struct HoldEntry {
    std::string client, point;
    int64_t amount_centipoints = 0;
    int64_t until = 0;
  };
  struct Operation {
    std::string client, point;
    int64_t amount_minor = 0, spent_centipoints = 0, earned_centipoints = 0;
  };

  // Validates client and point; on failure fills `error`.
  ClientRecord* FindClient(const nlohmann::json& request, Reply& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void ExpireHolds() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Drops the client's holds at one point (release, or a new operation there).
  void ReleaseHoldsAt(const std::string& client, const std::string& point)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  int64_t HeldElsewhere(const std::string& client, const std::string& point) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Most points this check may spend at this point, in whole points.
  int64_t SpendCap(const ClientRecord& client, const std::string& point, int64_t amount_minor) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  int64_t Earn(const ClientRecord& client, int64_t amount_minor) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  const Level& LevelOf(const ClientRecord& client) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  mutable absl::Mutex mutex_;
  std::vector<std::string> api_keys_;
  std::vector<std::string> points_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, Level> levels_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, ClientRecord> clients_ ABSL_GUARDED_BY(mutex_);
  std::vector<HoldEntry> holds_ ABSL_GUARDED_BY(mutex_);
  std::vector<Operation> operations_ ABSL_GUARDED_BY(mutex_);
  int64_t clock_offset_seconds_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace loyalty::simulator::loyalclient
