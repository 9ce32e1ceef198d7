#include "broker/storage/pool.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/error_reasons.h"
#include "broker/common/logging.h"
#include "broker/storage/queries.h"

namespace loyalty::broker {

ConnectionPool::ConnectionPool(std::string conninfo, int size)
    : conninfo_(std::move(conninfo)), size_(size) {}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<pqxx::connection> ConnectionPool::Open() {
  auto connection = std::make_unique<pqxx::connection>(conninfo_);
  for (const NamedQuery& query : AllQueries()) connection->prepare(query.name, query.sql);
  return connection;
}

absl::Status ConnectionPool::Connect() {
  try {
    std::vector<std::unique_ptr<pqxx::connection>> opened;
    for (int i = 0; i < size_; ++i) opened.push_back(Open());
    std::lock_guard lock(mutex_);
    for (auto& c : opened) idle_.push_back(std::move(c));
    open_ = size_;
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kDatabaseUnavailable,
                         absl::StrCat("cannot connect to PostgreSQL: ", e.what()));
  }
}

absl::Status ConnectionPool::Run(const std::function<absl::Status(pqxx::connection&)>& work) {
  std::unique_ptr<pqxx::connection> connection;
  const absl::Time asked = absl::Now();
  int in_use = 0;
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
    in_use = ++in_use_;
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;  // reserve a slot; opened below, outside the lock
    }
  }
  const absl::Time acquired = absl::Now();
  if (observer_ != nullptr) observer_->OnAcquired(acquired - asked, in_use, size_);
  auto give_back = [this](std::unique_ptr<pqxx::connection> c) {
    {
      std::lock_guard lock(mutex_);
      --in_use_;
      if (c) {
        idle_.push_back(std::move(c));
      } else {
        --open_;
      }
    }
    available_.notify_one();
  };
  absl::Status status;
  try {
    if (!connection) connection = Open();
    status = work(*connection);
  } catch (const pqxx::broken_connection& e) {
    connection.reset();
    status = ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kDatabaseUnavailable,
                           "database connection lost; try again");
    Log(LogLevel::kError, "database_error", {{"error", e.what()}});
  } catch (const pqxx::in_doubt_error& e) {
    connection.reset();
    status = ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kDatabaseUnavailable,
                           "database commit outcome unknown; try again");
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
  give_back(std::move(connection));
  if (observer_ != nullptr) {
    int now_in_use = 0;
    {
      std::lock_guard lock(mutex_);
      now_in_use = in_use_;
    }
    observer_->OnReleased(absl::Now() - acquired, status.ok(), now_in_use, size_);
  }
  return status;
}

}  // namespace loyalty::broker
