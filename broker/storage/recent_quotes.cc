#include "broker/storage/recent_quotes.h"

#include <utility>

namespace loyalty::broker {
namespace {

// A string's own size and, past the few bytes kept inline, its buffer.
size_t StringBytes(const std::string& text) { return sizeof(std::string) + text.capacity(); }

// The lines' JSON kept beside the quote (none: nothing).
size_t JsonBytes(const LinesAsJson& json) {
  if (json.lines.empty() && json.discounts.empty()) return 0;
  return StringBytes(json.lines) + StringBytes(json.discounts);
}

}  // namespace

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

size_t ApproximateBytes(const QuoteRecord& quote) {
  // The record, its entry in the map and the queue (the id twice), and the
  // allocator's rounding.
  size_t bytes = sizeof(QuoteRecord) + 2 * StringBytes(quote.quote_id) + 64;
  bytes += StringBytes(quote.store_id) + StringBytes(quote.created_at);
  if (quote.customer) bytes += StringBytes(quote.customer->value);
  for (const std::string& coupon : quote.coupons) bytes += StringBytes(coupon);
  for (const QuoteLineRecord& l : quote.lines) {
    bytes += sizeof(QuoteLineRecord) + StringBytes(l.line.sku) + StringBytes(l.line.barcode);
    bytes += l.discount_program_ids.capacity() * sizeof(int64_t);
    for (const connectors::LineDiscount& d : l.discounts) {
      bytes += sizeof(d) + StringBytes(d.campaign_name) + StringBytes(d.campaign_code) +
               StringBytes(d.coupon);
    }
  }
  for (const QuoteProgramRecord& p : quote.programs) {
    bytes += sizeof(QuoteProgramRecord) + StringBytes(p.skip_reason) +
             StringBytes(p.vendor_customer_id) + StringBytes(p.vendor_reference) +
             StringBytes(p.explanation);
  }
  return bytes;
}

void RecentQuotes::Remember(const QuoteRecord& quote, LinesAsJson lines_json) {
  // Written into room reserved for longer text: kept, it takes only its own.
  lines_json.lines.shrink_to_fit();
  lines_json.discounts.shrink_to_fit();
  auto kept = std::make_shared<const AtHand>(AtHand{AsStored(quote), std::move(lines_json)});
  const size_t bytes = ApproximateBytes(kept->quote) + JsonBytes(kept->lines_json);
  if (bytes > max_bytes_) return;
  absl::MutexLock lock(&mutex_);
  if (!by_id_.emplace(quote.quote_id, Kept{std::move(kept), bytes}).second) return;
  oldest_first_.push_back(quote.quote_id);
  bytes_ += bytes;
  while (bytes_ > max_bytes_) {
    // An id forgotten meanwhile is no longer in the map: its bytes are off.
    if (auto it = by_id_.find(oldest_first_.front()); it != by_id_.end()) {
      bytes_ -= it->second.bytes;
      by_id_.erase(it);
    }
    oldest_first_.pop_front();
  }
}

void RecentQuotes::Forget(const std::string& quote_id) {
  absl::MutexLock lock(&mutex_);
  auto it = by_id_.find(quote_id);
  if (it == by_id_.end()) return;
  bytes_ -= it->second.bytes;
  by_id_.erase(it);
  // Its id would leave oldest_first_ when its turn came. But a forgotten
  // quote frees its bytes, so while the database refuses every row nothing
  // is evicted and the ids of refused quotes would pile up: they go once
  // they outnumber the quotes kept, which keeps the cost per call constant.
  if (oldest_first_.size() > 2 * by_id_.size() + kOrderSlack) {
    std::deque<std::string> kept_order;
    for (std::string& id : oldest_first_) {
      if (by_id_.contains(id)) kept_order.push_back(std::move(id));
    }
    oldest_first_.swap(kept_order);
  }
}

size_t RecentQuotes::order_length() const {
  absl::MutexLock lock(&mutex_);
  return oldest_first_.size();
}

std::shared_ptr<const RecentQuotes::AtHand> RecentQuotes::Lookup(
    const std::string& quote_id) const {
  absl::MutexLock lock(&mutex_);
  auto it = by_id_.find(quote_id);
  return it == by_id_.end() ? nullptr : it->second.at_hand;
}

std::shared_ptr<const QuoteRecord> RecentQuotes::Find(const std::string& store_id,
                                                      const std::string& quote_id,
                                                      absl::Time now) const {
  std::shared_ptr<const AtHand> at_hand = Lookup(quote_id);
  if (at_hand == nullptr) return nullptr;
  const QuoteRecord& quote = at_hand->quote;
  // As the database's read decides: another store's quote is not found, and
  // a quote is live while its expiry is ahead.
  if (quote.store_id != store_id || quote.expires_at_unix <= absl::ToUnixSeconds(now)) {
    return nullptr;
  }
  return {std::move(at_hand), &quote};  // shares the entry's ownership
}

std::shared_ptr<const LinesAsJson> RecentQuotes::LinesJsonOf(
    const std::string& quote_id, const std::vector<QuoteLineRecord>& lines) const {
  std::shared_ptr<const AtHand> at_hand = Lookup(quote_id);
  if (at_hand == nullptr || at_hand->quote.lines != lines) return nullptr;
  // Remembered without its JSON (even no lines write "[]"): none to give.
  if (at_hand->lines_json.lines.empty()) return nullptr;
  const LinesAsJson* lines_json = &at_hand->lines_json;
  return {std::move(at_hand), lines_json};
}

size_t RecentQuotes::bytes() const {
  absl::MutexLock lock(&mutex_);
  return bytes_;
}

}  // namespace loyalty::broker
