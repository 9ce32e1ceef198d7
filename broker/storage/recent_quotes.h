#pragma once

// The quotes this process saved last, as they are stored: a commit that
// follows its quote to the same replica a moment later finds it here and
// needs no read of it (PurchaseCommit). Quotes never change once saved, so a
// copy kept here is the row the database has. Bounded: the oldest is dropped
// past `capacity`, and an expired quote is never found.

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/core/records.h"

namespace loyalty::broker {

class RecentQuotes {
 public:
  explicit RecentQuotes(size_t capacity) : capacity_(capacity) {}

  // Keeps `quote` (its id and expiry set) as the database stores it: what
  // is answered at the quote but not stored is left out.
  void Remember(const QuoteRecord& quote);
  // A quote whose row the database refused: it is not the database's.
  void Forget(const std::string& quote_id);
  // The quote if it is kept, belongs to `store_id` and is live at `now`;
  // nullptr otherwise.
  std::shared_ptr<const QuoteRecord> Find(const std::string& store_id, const std::string& quote_id,
                                          absl::Time now) const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, std::shared_ptr<const QuoteRecord>> by_id_
      ABSL_GUARDED_BY(mutex_);
  std::deque<std::string> oldest_first_ ABSL_GUARDED_BY(mutex_);
};

// `quote` as the database stores it (PgQuoteRepository::RowJson): without
// what is answered at the quote only.
QuoteRecord AsStored(const QuoteRecord& quote);

}  // namespace loyalty::broker
