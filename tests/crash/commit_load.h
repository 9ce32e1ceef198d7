#pragma once

// The tills of the crash and failover tests: a LoyalClient store and a
// SailPlay store committing from several threads while something breaks
// (a broker process, a PostgreSQL primary), every attempt recorded with
// what the broker answered; then the till's retries with the same keys and
// the invariants that must hold afterwards, checked against PostgreSQL and
// the simulators' own records.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "loyalty/broker/v1/broker.grpc.pb.h"
#include "simulators/loyalclient/server.h"
#include "simulators/sailplay/server.h"

namespace loyalty::broker::testing {

namespace v1 = ::loyalty::broker::v1;

// Tills committing at once: enough to keep commits in flight at any moment
// on a two-core machine.
inline constexpr int kLoadThreads = 4;

// A free TCP port on 127.0.0.1.
int FreePort();
// One integer from PostgreSQL (PG* variables).
int64_t QueryInt(const std::string& sql);

// One commit the load tried: what it sent, and what the broker answered.
struct Attempt {
  std::string store;  // "lc" or "sp"
  std::string api_key;
  v1::CommitPurchaseRequest request;
  int64_t amount_minor = 0;  // unique per attempt: LoyalClient books it
  std::string hold_id;
  bool acknowledged = false;
  v1::PurchaseResponse answer;
};

// The two stores, their keys and the simulators behind them.
class CrashStores {
 public:
  // Starts both simulators on free ports and registers the stores
  // (migrations applied first) in the PostgreSQL of the PG* variables.
  explicit CrashStores(const std::string& prefix);

  const std::string& prefix() const { return prefix_; }
  const std::string& run() const { return run_; }
  // `store_id IN (...)`: this run's stores, for SQL filters.
  std::string StoresFilter(const std::string& column = "store_id") const;
  const std::string& lc_key() const { return lc_key_; }
  const std::string& sp_key() const { return sp_key_; }
  simulator::loyalclient::LoyalClientSimulator& loyalclient() { return *loyalclient_; }
  simulator::sailplay::SailPlaySimulator& sailplay() { return *sailplay_; }

 private:
  std::string prefix_, run_, lc_key_, sp_key_;
  std::unique_ptr<simulator::loyalclient::LoyalClientSimulator> loyalclient_;
  std::unique_ptr<simulator::sailplay::SailPlaySimulator> sailplay_;
};

// Quote, (for SailPlay) hold, commit, over and over from several threads.
class CommitLoad {
 public:
  explicit CommitLoad(CrashStores& stores) : stores_(stores) {}
  ~CommitLoad() { Stop(); }

  // Where calls go from now on (a restarted broker, a load balancer).
  void set_channel(std::shared_ptr<grpc::Channel> channel) ABSL_LOCKS_EXCLUDED(mutex_);
  void Start(int threads);
  void Stop();

  // Every attempt again, with its own key, until each is answered or the
  // broker says it is in doubt. Returns how many got through now.
  struct Retried {
    int ok = 0;
    int in_doubt = 0;
  };
  Retried RetryUnacknowledged();

  std::vector<Attempt> attempts() const ABSL_LOCKS_EXCLUDED(mutex_);
  // The codes the tills saw on their calls (quote, hold, commit), by name.
  std::map<std::string, int> codes() const ABSL_LOCKS_EXCLUDED(mutex_);
  // The first message heard with each code but OK.
  std::map<std::string, std::string> examples() const ABSL_LOCKS_EXCLUDED(mutex_);
  // Commits acknowledged so far.
  int acknowledged() const ABSL_LOCKS_EXCLUDED(mutex_);

 private:
  void OneCommit(int64_t n);
  template <typename Request, typename Response, typename Method>
  grpc::Status Call(const std::string& key, Method method, const Request& request,
                    Response* response);

  CrashStores& stores_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> next_{0};
  std::vector<std::thread> threads_;
  mutable absl::Mutex mutex_;
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(mutex_);
  std::vector<Attempt> attempts_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, int> codes_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, std::string> examples_ ABSL_GUARDED_BY(mutex_);
};

// What must hold once recovery has run, whatever broke meanwhile: no
// acknowledged commit missing (and as it was answered), its hold consumed,
// nothing applied twice at LoyalClient or created twice at SailPlay, nothing
// applied at LoyalClient that the broker calls failed, every acknowledged
// SailPlay purchase there, no expired hold left active. Returns how many
// retail operations LoyalClient applied.
int ExpectNothingLostNothingDoubled(CrashStores& stores, const std::vector<Attempt>& attempts);

}  // namespace loyalty::broker::testing
