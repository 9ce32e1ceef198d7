#pragma once

// A fixed pool of PostgreSQL connections with every named query prepared.
// A broken connection is replaced on its next use.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "broker/storage/pool_observer.h"

namespace loyalty::broker {

class ConnectionPool {
 public:
  // `conninfo` is a libpq connection string; empty uses PG* variables.
  ConnectionPool(std::string conninfo, int size);
  ~ConnectionPool();

  // Opens every connection now, so a wrong address fails the start.
  absl::Status Connect();

  // Runs `work` with a connection; database errors become statuses:
  // a lost connection is UNAVAILABLE, anything else INTERNAL.
  absl::Status Run(const std::function<absl::Status(pqxx::connection&)>& work);

  // Reports waits and run times; set before the pool is used.
  void set_observer(PoolObserver* observer) { observer_ = observer; }

 private:
  std::unique_ptr<pqxx::connection> Open();

  std::string conninfo_;
  int size_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mutex_);
  int open_ ABSL_GUARDED_BY(mutex_) = 0;
  int in_use_ ABSL_GUARDED_BY(mutex_) = 0;
  PoolObserver* observer_ = nullptr;
};

}  // namespace loyalty::broker
