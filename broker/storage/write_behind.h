#pragma once

// Rows written behind the request that made them: Queue only queues the row
// and one writer thread stores whatever has queued meanwhile with one
// statement, so no caller waits on the database and many rows share one
// round trip and one commit. Only for rows no answer promises (the vendor
// journal, quotes): purchases, holds and stored answers are committed before
// the answer leaves. While the database is away rows wait, up to
// `max_queued`; past that a row is refused at once (RESOURCE_EXHAUSTED),
// never blocking its caller. A row the database refuses is logged and
// dropped, without holding back the rows written with it.

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/common/logging.h"

namespace loyalty::broker {

struct WriteBehindSettings {
  size_t max_queued = 20000;
  size_t max_batch = 500;
  // After a failed write, the writer waits this long before trying again.
  absl::Duration retry_after = absl::Milliseconds(500);
  // Once a row is queued, the writer waits this long for more (or a full
  // batch, or a reader waiting for a row: AwaitWritten) before writing: one
  // statement and one thread wake-up for many rows.
  absl::Duration linger = absl::Milliseconds(5);
};

template <typename Row>
class WriteBehind {
 public:
  // Stores one batch, all or nothing; UNAVAILABLE when the database is away.
  using BatchWriter = std::function<absl::Status(const std::vector<Row>&)>;
  // What a log line says of a refused row: its store, and which row it is.
  struct Label {
    std::string store;
    std::string row;
  };
  using Describe = std::function<Label(const Row&)>;

  // `name` names the writer's thread ("<name>-writer") and its log events
  // ("<name>_write_failed", "<name>_row_refused").
  WriteBehind(std::string name, BatchWriter write, Describe describe,
              WriteBehindSettings settings = {})
      : name_(std::move(name)),
        write_(std::move(write)),
        describe_(std::move(describe)),
        settings_(settings) {
    writer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), absl::StrCat(name_, "-writer").substr(0, 15).c_str());
      WriteLoop();
    });
  }

  // Writes what is queued (trying for at most a few seconds), then stops.
  ~WriteBehind() {
    Flush(absl::Seconds(3));
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_all();
    writer_.join();
  }

  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Queues the row; RESOURCE_EXHAUSTED (row dropped) when full. A `key`
  // lets a reader wait for this row (AwaitWritten).
  absl::Status Queue(Row row, std::string key = "") {
    uint64_t dropped = 0;
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (queue_.size() < settings_.max_queued) {
        if (!key.empty()) ++pending_keys_[key];
        queue_.push_back({std::move(row), std::move(key)});
        ++queued_ever_;
        // The writer waits for the first row, then lingers for a full batch.
        wake = queue_.size() == 1 || queue_.size() == settings_.max_batch;
      } else {
        dropped = ++dropped_;
      }
    }
    if (dropped == 0) {
      if (wake) work_.notify_one();
      return absl::OkStatus();
    }
    return absl::ResourceExhaustedError(absl::StrCat(name_, " queue full (", settings_.max_queued,
                                                     " rows waiting for the database); ", dropped,
                                                     " rows dropped so far"));
  }

  // Waits until no row queued with `key` is waiting (written, or given up
  // on), or `deadline` passes (false); at once when none was queued.
  bool AwaitWritten(const std::string& key, absl::Time deadline) {
    std::unique_lock lock(mutex_);
    if (!pending_keys_.contains(key)) return true;
    Hurry();
    return written_.wait_for(lock, absl::ToChronoMicroseconds(std::max(deadline - absl::Now(), {})),
                             [&] { return !pending_keys_.contains(key); });
  }

  // Waits until everything queued before the call is written (no
  // lingering), or the timeout passes; false on timeout.
  bool Flush(absl::Duration timeout) {
    std::unique_lock lock(mutex_);
    const uint64_t target = queued_ever_;
    if (done_ < target) Hurry();
    return written_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                             [&] { return done_ >= target; });
  }

  uint64_t dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
  }

  size_t queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

 private:
  struct Queued {
    Row row;
    std::string key;
  };

  // Someone waits for a row: the writer stops lingering for more. With
  // `mutex_` held.
  void Hurry() {
    if (hurry_) return;
    hurry_ = true;
    work_.notify_one();
  }

  void WriteLoop() {
    std::unique_lock lock(mutex_);
    while (true) {
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      if (settings_.linger > absl::ZeroDuration()) {
        work_.wait_for(lock, absl::ToChronoMicroseconds(settings_.linger),
                       [&] { return stopping_ || hurry_ || queue_.size() >= settings_.max_batch; });
      }
      hurry_ = false;
      const size_t n = std::min(queue_.size(), settings_.max_batch);
      // Copied, not moved: a batch that fails stays queued as it was.
      std::vector<Row> batch;
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) batch.push_back(queue_[i].row);
      lock.unlock();
      absl::Status status = write_(batch);
      size_t handled = status.ok() ? n : 0;
      if (!status.ok() && !absl::IsUnavailable(status)) {
        // The database refused the batch, not the connection: one bad row
        // must not hold back the others, nor be tried forever.
        handled = WriteOneByOne(batch, status);
      }
      if (!status.ok()) {
        Log(LogLevel::kError, absl::StrCat(name_, "_write_failed"),
            {{"rows", absl::StrCat(n - handled)}, {"error", std::string(status.message())}});
      }
      lock.lock();
      // Written, or given up on at shutdown: the rows leave the queue.
      if (stopping_) handled = n;
      for (size_t i = 0; i < handled; ++i) {
        const std::string& key = queue_[i].key;
        if (key.empty()) continue;
        auto it = pending_keys_.find(key);
        if (--it->second == 0) pending_keys_.erase(it);
      }
      queue_.erase(queue_.begin(), queue_.begin() + handled);
      done_ += handled;
      if (handled > 0) written_.notify_all();
      if (handled == n) continue;
      // The database is away: what is left stays queued and is tried again.
      work_.wait_for(lock, absl::ToChronoMilliseconds(settings_.retry_after),
                     [&] { return stopping_; });
    }
  }

  // Writes each row alone, dropping (and logging) those refused; stops at
  // UNAVAILABLE (in `status`). Returns how many rows it is done with.
  size_t WriteOneByOne(const std::vector<Row>& batch, absl::Status& status) {
    for (size_t i = 0; i < batch.size(); ++i) {
      status = write_({batch[i]});
      if (absl::IsUnavailable(status)) return i;
      if (!status.ok()) {
        const Label label = describe_(batch[i]);
        Log(LogLevel::kError, absl::StrCat(name_, "_row_refused"),
            {{"store", label.store}, {"row", label.row}, {"error", std::string(status.message())}});
        std::lock_guard lock(mutex_);
        ++dropped_;
      }
    }
    status = absl::OkStatus();
    return batch.size();
  }

  const std::string name_;
  const BatchWriter write_;
  const Describe describe_;
  const WriteBehindSettings settings_;

  mutable std::mutex mutex_;
  std::condition_variable work_;     // rows queued, or stopping
  std::condition_variable written_;  // a batch was written
  std::deque<Queued> queue_;
  std::unordered_map<std::string, int> pending_keys_;  // keys of the queued rows
  uint64_t queued_ever_ = 0;
  uint64_t done_ = 0;  // rows ever written or given up
  uint64_t dropped_ = 0;
  bool hurry_ = false;  // a reader waits for a row: no lingering
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace loyalty::broker
