#pragma once

// The quotes this process saved last, as they are stored: a commit that
// follows its quote to the same replica a moment later finds it here and
// needs no read of it (PurchaseCommit). Quotes never change once saved, so a
// copy kept here is the row the database has. Bounded by their size (a cart
// may have a thousand lines): the oldest are dropped past `max_bytes`, and an
// expired quote is never found.

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/core/records.h"
#include "broker/storage/quote_rows.h"

namespace loyalty::broker {

class RecentQuotes {
 public:
  explicit RecentQuotes(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Keeps `quote` (its id and expiry set) as the database stores it: what
  // is answered at the quote but not stored is left out; and its lines as
  // the row's JSON has them, for a purchase of the same lines.
  void Remember(const QuoteRecord& quote, LinesAsJson lines_json = {});
  // A quote whose row the database refused: it is not the database's.
  void Forget(const std::string& quote_id);
  // The quote if it is kept, belongs to `store_id` and is live at `now`;
  // nullptr otherwise.
  std::shared_ptr<const QuoteRecord> Find(const std::string& store_id, const std::string& quote_id,
                                          absl::Time now) const;
  // The JSON of the kept quote's lines if they are `lines`, as a purchase
  // made from it has them; nullptr otherwise, also for a quote remembered
  // without it.
  std::shared_ptr<const LinesAsJson> LinesJsonOf(const std::string& quote_id,
                                                 const std::vector<QuoteLineRecord>& lines) const;
  // What the quotes kept take, as ApproximateBytes counts it.
  size_t bytes() const;
  // The ids in the order of eviction: the quotes kept, and some forgotten
  // ones not yet dropped from it (never more than twice the kept, and a few).
  size_t order_length() const;

 private:
  struct AtHand {
    QuoteRecord quote;
    LinesAsJson lines_json;
  };
  struct Kept {
    std::shared_ptr<const AtHand> at_hand;
    size_t bytes;
  };
  std::shared_ptr<const AtHand> Lookup(const std::string& quote_id) const;

  static constexpr size_t kOrderSlack = 64;

  const size_t max_bytes_;
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, Kept> by_id_ ABSL_GUARDED_BY(mutex_);
  std::deque<std::string> oldest_first_ ABSL_GUARDED_BY(mutex_);
  size_t bytes_ ABSL_GUARDED_BY(mutex_) = 0;
};

// `quote` as the database stores it (PgQuoteRepository::RowJson): without
// what is answered at the quote only.
QuoteRecord AsStored(const QuoteRecord& quote);

// About what `quote` takes in memory, kept here: its strings and arrays,
// rounded up rather than down.
size_t ApproximateBytes(const QuoteRecord& quote);

}  // namespace loyalty::broker
