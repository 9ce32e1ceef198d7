#include "broker/storage/write_behind_journal.h"

#include <pthread.h>

#include "absl/strings/str_cat.h"
#include "broker/common/logging.h"

namespace loyalty::broker {

WriteBehindJournal::WriteBehindJournal(BatchWriter write, WriteBehindSettings settings)
    : write_(std::move(write)), settings_(settings) {
  writer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "journal-writer");
    WriteLoop();
  });
}

WriteBehindJournal::~WriteBehindJournal() {
  Flush(absl::Seconds(3));
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  writer_.join();
}

absl::Status WriteBehindJournal::Record(const VendorOperation& operation) {
  uint64_t dropped = 0;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() < settings_.max_queued) {
      queue_.push_back(operation);
      ++recorded_;
      // The writer waits for the first entry, then lingers for a full batch.
      wake = queue_.size() == 1 || queue_.size() == settings_.max_batch;
    } else {
      dropped = ++dropped_;
    }
  }
  if (dropped == 0) {
    if (wake) work_.notify_one();
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrCat("journal queue full (", settings_.max_queued,
                                                   " entries waiting); ", dropped,
                                                   " entries dropped so far"));
}

bool WriteBehindJournal::Flush(absl::Duration timeout) {
  std::unique_lock lock(mutex_);
  const uint64_t target = recorded_;
  return written_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                           [&] { return done_ >= target; });
}

uint64_t WriteBehindJournal::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

size_t WriteBehindJournal::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WriteBehindJournal::WriteLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left
    work_.wait_for(lock, absl::ToChronoMicroseconds(settings_.linger),
                   [&] { return stopping_ || queue_.size() >= settings_.max_batch; });
    const size_t n = std::min(queue_.size(), settings_.max_batch);
    // Copied, not moved: a batch that fails stays queued as it was.
    std::vector<VendorOperation> batch(queue_.begin(), queue_.begin() + n);
    lock.unlock();
    absl::Status status = write_(batch);
    size_t handled = status.ok() ? n : 0;
    if (!status.ok() && !absl::IsUnavailable(status)) {
      // The database refused the batch, not the connection: one bad entry
      // must not hold back the others, nor be tried forever.
      handled = WriteOneByOne(batch, status);
    }
    if (!status.ok()) {
      Log(LogLevel::kError, "journal_write_failed",
          {{"entries", absl::StrCat(n - handled)}, {"error", std::string(status.message())}});
    }
    lock.lock();
    // Written, or given up on at shutdown: the entries leave the queue.
    if (stopping_) handled = n;
    queue_.erase(queue_.begin(), queue_.begin() + handled);
    done_ += handled;
    if (handled > 0) written_.notify_all();
    if (handled == n) continue;
    // The database is away: what is left stays queued and is tried again.
    work_.wait_for(lock, absl::ToChronoMilliseconds(settings_.retry_after),
                   [&] { return stopping_; });
  }
}

size_t WriteBehindJournal::WriteOneByOne(const std::vector<VendorOperation>& batch,
                                         absl::Status& status) {
  for (size_t i = 0; i < batch.size(); ++i) {
    status = write_({batch[i]});
    if (absl::IsUnavailable(status)) return i;
    if (!status.ok()) {
      Log(LogLevel::kError, "journal_entry_refused",
          {{"store", batch[i].store_id},
           {"operation", batch[i].operation},
           {"error", std::string(status.message())}});
      std::lock_guard lock(mutex_);
      ++dropped_;
    }
  }
  status = absl::OkStatus();
  return batch.size();
}

}  // namespace loyalty::broker
