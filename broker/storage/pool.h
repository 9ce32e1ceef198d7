#pragma once

// A fixed pool of PostgreSQL connections with every named query prepared.
//
// No wait outlives its caller: taking a connection waits at most until the
// calling thread's deadline (call_deadline.h), and a connection whose work
// runs past that deadline is cut (its socket shut down), because a hung
// server does not enforce its own statement_timeout. Outside any call the
// cut comes after `hung_after`. Connections are opened by a background
// thread, so a request never waits on a connect to an unreachable server;
// a lost or cut connection is replaced there.

#include <functional>
#include <map>
#include <memory>
#include <pqxx/connection>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/storage/pool_observer.h"

namespace loyalty::broker {

struct PoolTimeouts {
  // libpq's connect_timeout (whole seconds, at least 2).
  int connect_seconds = 2;
  // The server's statement_timeout for every session of the pool.
  absl::Duration statement = absl::Seconds(5);
  // Work outside any call is cut after this long.
  absl::Duration hung_after = absl::Seconds(15);
};

class ConnectionPool {
 public:
  // `conninfo` is a libpq connection string; empty uses PG* variables.
  ConnectionPool(std::string conninfo, int size, PoolTimeouts timeouts = {});
  ~ConnectionPool();

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Opens every connection now, so a wrong address fails the start, and
  // keeps the pool full from then on.
  absl::Status Connect();

  // Runs `work` with a connection; database errors become statuses:
  // no connection before the deadline, a lost or cut connection or an
  // unknown commit outcome are UNAVAILABLE, anything else INTERNAL.
  absl::Status Run(const std::function<absl::Status(pqxx::connection&)>& work);

  // Reports waits and run times; set before the pool is used.
  void set_observer(PoolObserver* observer) { observer_ = observer; }

 private:
  struct Lease {
    int socket = -1;
    absl::Time cut_at;
    bool cut = false;
  };

  std::unique_ptr<pqxx::connection> Open();
  // Background threads: one opens connections, one cuts overdue work.
  void KeepOpen();
  void CutOverdue();
  absl::Status Acquire(absl::Time deadline, std::unique_ptr<pqxx::connection>& connection);
  bool OpenerHasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void GiveBack(uint64_t lease, std::unique_ptr<pqxx::connection> connection);

  const std::string conninfo_;
  const int size_;
  const PoolTimeouts timeouts_;
  PoolObserver* observer_ = nullptr;

  absl::Mutex mutex_;
  absl::CondVar available_;  // a connection came back, or opening failed
  absl::CondVar wanted_;     // the opener has work
  absl::CondVar leases_changed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mutex_);
  int open_ ABSL_GUARDED_BY(mutex_) = 0;  // idle, in use, or being opened
  int in_use_ ABSL_GUARDED_BY(mutex_) = 0;
  int waiting_ ABSL_GUARDED_BY(mutex_) = 0;
  bool keep_full_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  uint64_t open_failures_ ABSL_GUARDED_BY(mutex_) = 0;
  std::string last_open_error_ ABSL_GUARDED_BY(mutex_);
  uint64_t next_lease_ ABSL_GUARDED_BY(mutex_) = 0;
  std::map<uint64_t, Lease> leases_ ABSL_GUARDED_BY(mutex_);
  // When the cutter wakes next, unless signalled: the earliest cut_at.
  absl::Time cutter_sleeps_until_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
  std::thread opener_;
  std::thread cutter_;
};

// `conninfo` with libpq's connect_timeout added unless it sets one already
// (key=value and URI forms).
std::string WithConnectTimeout(const std::string& conninfo, int seconds);

}  // namespace loyalty::broker
