#include "broker/storage/recent_quotes.h"

#include <utility>

namespace loyalty::broker {

QuoteRecord AsStored(const QuoteRecord& quote) {
  QuoteRecord stored = quote;
  stored.created_at.clear();  // the database's own time; nothing reads it
  for (QuoteProgramRecord& p : stored.programs) {
    p.skip_reason_code.clear();
    p.customer_message.clear();
    p.receipt_texts.clear();
  }
  return stored;
}

void RecentQuotes::Remember(const QuoteRecord& quote) {
  if (capacity_ == 0) return;
  auto kept = std::make_shared<const QuoteRecord>(AsStored(quote));
  absl::MutexLock lock(&mutex_);
  if (!by_id_.emplace(quote.quote_id, std::move(kept)).second) return;
  oldest_first_.push_back(quote.quote_id);
  if (oldest_first_.size() > capacity_) {
    by_id_.erase(oldest_first_.front());
    oldest_first_.pop_front();
  }
}

void RecentQuotes::Forget(const std::string& quote_id) {
  absl::MutexLock lock(&mutex_);
  by_id_.erase(quote_id);  // its id leaves oldest_first_ in turn
}

std::shared_ptr<const QuoteRecord> RecentQuotes::Find(const std::string& store_id,
                                                      const std::string& quote_id,
                                                      absl::Time now) const {
  std::shared_ptr<const QuoteRecord> quote;
  {
    absl::MutexLock lock(&mutex_);
    auto it = by_id_.find(quote_id);
    if (it == by_id_.end()) return nullptr;
    quote = it->second;
  }
  // As the database's read decides: another store's quote is not found, and
  // a quote is live while its expiry is ahead.
  if (quote->store_id != store_id || quote->expires_at_unix <= absl::ToUnixSeconds(now)) {
    return nullptr;
  }
  return quote;
}

}  // namespace loyalty::broker
