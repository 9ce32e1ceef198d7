#include "broker/storage/pool.h"

#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/call_deadline.h"
#include "broker/common/error_reasons.h"
#include "broker/common/logging.h"
#include "broker/storage/queries.h"

namespace loyalty::broker {
namespace {

absl::Status Unavailable(std::string message) {
  return WithRetryDelay(ReasonedError(absl::StatusCode::kUnavailable,
                                      ErrorReason::kDatabaseUnavailable, std::move(message)),
                        absl::Seconds(1));
}

}  // namespace

std::string WithConnectTimeout(const std::string& conninfo, int seconds) {
  if (absl::StrContains(conninfo, "connect_timeout")) return conninfo;
  const std::string setting = absl::StrCat("connect_timeout=", std::max(seconds, 2));
  if (absl::StartsWith(conninfo, "postgres://") || absl::StartsWith(conninfo, "postgresql://")) {
    return absl::StrCat(conninfo, absl::StrContains(conninfo, "?") ? "&" : "?", setting);
  }
  return conninfo.empty() ? setting : absl::StrCat(conninfo, " ", setting);
}

ConnectionPool::ConnectionPool(std::string conninfo, int size, PoolTimeouts timeouts)
    : conninfo_(WithConnectTimeout(conninfo, timeouts.connect_seconds)),
      size_(size),
      timeouts_(timeouts) {
  opener_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "db-opener");  // as `top -H` and perf show it
    KeepOpen();
  });
  cutter_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "db-cutter");
    CutOverdue();
  });
}

ConnectionPool::~ConnectionPool() {
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  wanted_.SignalAll();
  leases_changed_.SignalAll();
  available_.SignalAll();
  opener_.join();
  cutter_.join();
}

std::unique_ptr<pqxx::connection> ConnectionPool::Open() {
  auto connection = std::make_unique<pqxx::connection>(conninfo_);
  {
    pqxx::nontransaction tx(*connection);
    tx.exec0(
        absl::StrCat("SET statement_timeout = ", absl::ToInt64Milliseconds(timeouts_.statement)));
    // Every statement is a keyed lookup or write whose plan does not depend
    // on its values: plan it once per connection. Left to choose, PostgreSQL
    // re-planned the intent and the quote lookup on every call (their
    // partitions pruned at plan time make custom plans look cheaper), and
    // planning cost more than running them. Generic plans prune the day
    // partitions when they start instead.
    tx.exec0("SET plan_cache_mode = force_generic_plan");
    // No statement here gains from the JIT compiler, and a batch's can look
    // costly enough to wake it (a JSON array's rows count as a hundred): it
    // compiled a batch of intents for 40 ms, a hundred times its run.
    tx.exec0("SET jit = off");
  }
  for (const NamedQuery& query : AllQueries()) connection->prepare(query.name, query.sql);
  return connection;
}

absl::Status ConnectionPool::Connect() {
  try {
    std::vector<std::unique_ptr<pqxx::connection>> opened;
    for (int i = 0; i < size_; ++i) opened.push_back(Open());
    {
      absl::MutexLock lock(&mutex_);
      for (auto& c : opened) {
        if (open_ >= size_) break;
        idle_.push_back(std::move(c));
        ++open_;
      }
      keep_full_ = true;
    }
    available_.SignalAll();
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kDatabaseUnavailable,
                         absl::StrCat("cannot connect to PostgreSQL: ", e.what()));
  }
}

bool ConnectionPool::OpenerHasWork() const {
  const int needed = keep_full_ ? size_ : std::min(size_, in_use_ + waiting_);
  return stopping_ || open_ < needed;
}

void ConnectionPool::KeepOpen() {
  absl::Duration backoff = absl::Milliseconds(100);
  absl::MutexLock lock(&mutex_);
  while (true) {
    while (!OpenerHasWork()) wanted_.Wait(&mutex_);
    if (stopping_) return;
    ++open_;  // reserved while it opens
    mutex_.Unlock();
    std::unique_ptr<pqxx::connection> connection;
    std::string error;
    try {
      connection = Open();
    } catch (const std::exception& e) {
      error = e.what();
    }
    mutex_.Lock();
    if (connection) {
      idle_.push_back(std::move(connection));
      backoff = absl::Milliseconds(100);
      available_.Signal();
      continue;
    }
    --open_;
    ++open_failures_;
    last_open_error_ = error;
    available_.SignalAll();  // waiters learn that PostgreSQL cannot be reached
    Log(LogLevel::kError, "database_connect_failed", {{"error", error}});
    // Not hammering a server that is down; shutdown still wakes us.
    const absl::Time retry_at = absl::Now() + backoff;
    while (!stopping_ && !wanted_.WaitWithDeadline(&mutex_, retry_at)) {
    }
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

void ConnectionPool::CutOverdue() {
  absl::MutexLock lock(&mutex_);
  while (!stopping_) {
    absl::Time earliest = absl::InfiniteFuture();
    for (const auto& [id, lease] : leases_) {
      if (!lease.cut) earliest = std::min(earliest, lease.cut_at);
    }
    cutter_sleeps_until_ = earliest;
    leases_changed_.WaitWithDeadline(&mutex_, earliest);
    const absl::Time now = absl::Now();
    for (auto& [id, lease] : leases_) {
      if (lease.cut || lease.cut_at > now) continue;
      // The owner's blocked read returns at once; the socket stays its own.
      ::shutdown(lease.socket, SHUT_RDWR);
      lease.cut = true;
    }
  }
}

absl::Status ConnectionPool::Acquire(absl::Time deadline,
                                     std::unique_ptr<pqxx::connection>& connection) {
  absl::MutexLock lock(&mutex_);
  const uint64_t failures_before = open_failures_;
  ++waiting_;
  // Only when a connection is missing: waking the opener for every call was
  // a thread switch per database call.
  if (OpenerHasWork()) wanted_.Signal();
  bool timed_out = false;
  while (!stopping_ && idle_.empty() && open_failures_ == failures_before && !timed_out) {
    timed_out = available_.WaitWithDeadline(&mutex_, deadline);
  }
  const bool got = !timed_out || !idle_.empty() || open_failures_ != failures_before;
  --waiting_;
  if (!idle_.empty()) {
    connection = std::move(idle_.back());
    idle_.pop_back();
    ++in_use_;
    return absl::OkStatus();
  }
  if (stopping_) return Unavailable("the broker is stopping");
  if (got) return Unavailable(absl::StrCat("cannot connect to PostgreSQL: ", last_open_error_));
  return Unavailable("no database connection became free before the deadline");
}

void ConnectionPool::GiveBack(uint64_t lease, std::unique_ptr<pqxx::connection> connection) {
  {
    absl::MutexLock lock(&mutex_);
    leases_.erase(lease);
    --in_use_;
    if (connection) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
      wanted_.Signal();  // the opener replaces it
    }
  }
  available_.Signal();
}

absl::Status ConnectionPool::Run(const std::function<absl::Status(pqxx::connection&)>& work) {
  const absl::Time asked = absl::Now();
  const absl::Time call_deadline = CurrentCallDeadline();
  const absl::Time cut_at =
      call_deadline == absl::InfiniteFuture() ? asked + timeouts_.hung_after : call_deadline;
  std::unique_ptr<pqxx::connection> connection;
  if (absl::Status got = Acquire(cut_at, connection); !got.ok()) {
    if (observer_ != nullptr) observer_->OnGaveUp(absl::Now() - asked);
    return got;
  }
  const absl::Time acquired = absl::Now();
  uint64_t lease = 0;
  int in_use = 0;
  bool cuts_first = false;
  {
    absl::MutexLock lock(&mutex_);
    lease = ++next_lease_;
    leases_[lease] = Lease{connection->sock(), cut_at};
    in_use = in_use_;
    cuts_first = cut_at < cutter_sleeps_until_;
  }
  // The cutter is woken only when this lease is due before it wakes anyway:
  // waking it for every lease was a thread switch per database call.
  if (cuts_first) leases_changed_.Signal();
  if (observer_ != nullptr) observer_->OnAcquired(acquired - asked, in_use, size_);

  absl::Status status;
  try {
    status = work(*connection);
  } catch (const pqxx::broken_connection& e) {
    connection.reset();
    status = Unavailable("database connection lost; try again");
    Log(LogLevel::kError, "database_error", {{"error", e.what()}});
  } catch (const pqxx::in_doubt_error& e) {
    connection.reset();
    status = Unavailable("database commit outcome unknown; try again");
    Log(LogLevel::kError, "database_error", {{"error", e.what()}});
  } catch (const pqxx::unique_violation& e) {
    // Two requests raced for the same record; the loser may simply retry.
    status = ReasonedError(absl::StatusCode::kAborted, ErrorReason::kConcurrentChange,
                           "a concurrent request changed the same record; try again");
    Log(LogLevel::kWarning, "database_conflict", {{"error", e.what()}});
  } catch (const std::exception& e) {
    if (connection && !connection->is_open()) connection.reset();
    // The database's own text (rows, constraint names) stays in the log.
    status = ReasonedError(absl::StatusCode::kInternal, ErrorReason::kInternal,
                           "internal database error");
    Log(LogLevel::kError, "database_error", {{"error", e.what()}});
  }
  bool was_cut = false;
  {
    absl::MutexLock lock(&mutex_);
    was_cut = leases_[lease].cut;
  }
  if (was_cut) {
    connection.reset();  // its socket is shut down
    if (!status.ok()) {
      status = Unavailable("the database did not answer before the deadline");
      Log(LogLevel::kError, "database_cut",
          {{"after_ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - acquired))}});
    }
  }
  GiveBack(lease, std::move(connection));
  if (observer_ != nullptr) {
    int now_in_use = 0;
    {
      absl::MutexLock lock(&mutex_);
      now_in_use = in_use_;
    }
    observer_->OnReleased(absl::Now() - acquired, status.ok(), now_in_use, size_);
  }
  return status;
}

}  // namespace loyalty::broker
