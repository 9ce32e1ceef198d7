#pragma once

// Group commit for writes that many request threads make at once. Each
// caller brings one item and waits for its own result; whoever finds no
// write under way writes everything queued — its own item and those that
// arrived during the previous write — with one `write_all`, and everyone
// whose item was in it gets the answer. A caller alone pays nothing extra:
// it writes its item itself, at once. A batch the database refuses (not a
// lost connection) is written again item by item, so one bad item fails
// alone. The batch is written under the latest deadline among its callers
// (call_deadline.h), so no caller is cut by another's shorter deadline.
//
// With a `gather` window, whoever is about to write waits up to that long
// (or until the batch is full) for others to join its batch, but only after
// a batch that had company: callers that come one at a time, as a till alone
// does, wait for nothing, and one batch without company ends the waiting.
// PostgreSQL's cost of a batch statement is mostly fixed, so under load a
// moment's wait buys fewer, fuller statements and fewer WAL flushes.

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/common/call_deadline.h"

namespace loyalty::broker {

template <typename Item>
class GroupWriter {
 public:
  // Writes all the items, all or nothing.
  using WriteAll = std::function<absl::Status(const std::vector<Item*>& items)>;

  GroupWriter(WriteAll write_all, size_t max_batch, absl::Duration gather = absl::ZeroDuration())
      : write_all_(std::move(write_all)),
        max_batch_(std::max<size_t>(1, max_batch)),
        gather_(gather) {}

  absl::Status Write(Item& item) {
    Waiter me(&item, CurrentCallDeadline());
    std::unique_lock lock(mutex_);
    queue_.push_back(&me);
    if (gathering_ && queue_.size() >= max_batch_) batch_full_.notify_one();
    // Each waiter sleeps on its own condition: a finished write wakes its
    // batch and the one waiter that writes next, not everyone queued.
    me.wake.wait(lock, [&] { return me.done || (!writing_ && queue_.front() == &me); });
    if (me.done) return me.status;
    writing_ = true;
    Gather(lock, me.deadline);
    const size_t n = std::min(queue_.size(), max_batch_);
    std::vector<Waiter*> batch(queue_.begin(), queue_.begin() + n);
    queue_.erase(queue_.begin(), queue_.begin() + n);
    lock.unlock();
    std::vector<absl::Status> statuses = WriteBatch(batch);
    lock.lock();
    writing_ = false;
    last_had_company_ = batch.size() > 1;
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i]->status = std::move(statuses[i]);
      batch[i]->done = true;
      if (batch[i] != &me) batch[i]->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
    return me.status;
  }

 private:
  // After a batch that had company, the writer-to-be waits for more: until
  // the batch is full or the window passes, never past its own deadline.
  void Gather(std::unique_lock<std::mutex>& lock, absl::Time deadline) {
    if (gather_ <= absl::ZeroDuration() || !last_had_company_) return;
    const absl::Duration wait = std::min(gather_, deadline - absl::Now());
    if (wait <= absl::ZeroDuration() || queue_.size() >= max_batch_) return;
    gathering_ = true;
    batch_full_.wait_for(lock, absl::ToChronoMicroseconds(wait),
                         [&] { return queue_.size() >= max_batch_; });
    gathering_ = false;
  }

  struct Waiter {
    Waiter(Item* item, absl::Time deadline) : item(item), deadline(deadline) {}
    Item* item;
    absl::Time deadline;
    absl::Status status;
    bool done = false;  // guarded by mutex_
    std::condition_variable wake;
  };

  // Outside the lock: every waiter's status, in the batch's order.
  std::vector<absl::Status> WriteBatch(const std::vector<Waiter*>& batch) {
    std::vector<Item*> items;
    absl::Time deadline = absl::InfinitePast();
    for (Waiter* w : batch) {
      items.push_back(w->item);
      deadline = std::max(deadline, w->deadline);
    }
    absl::Status status;
    {
      const CallDeadlineScope scope(deadline);
      status = write_all_(items);
    }
    std::vector<absl::Status> statuses(batch.size(), status);
    if (!status.ok() && !absl::IsUnavailable(status) && batch.size() > 1) {
      for (size_t i = 0; i < batch.size(); ++i) {
        const CallDeadlineScope scope(batch[i]->deadline);
        statuses[i] = write_all_({batch[i]->item});
      }
    }
    return statuses;
  }

  const WriteAll write_all_;
  const size_t max_batch_;
  const absl::Duration gather_;
  std::mutex mutex_;
  std::vector<Waiter*> queue_;
  bool writing_ = false;
  bool last_had_company_ = false;       // the last batch written had more than one item
  bool gathering_ = false;              // the writer-to-be waits for company
  std::condition_variable batch_full_;  // ... and is woken when the batch is full
};

}  // namespace loyalty::broker
