#include "tests/core/fakes/in_memory_repositories.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace loyalty::broker::testing {
namespace {

int64_t NowUnix() { return absl::ToUnixSeconds(absl::Now()); }

bool Undelivered(const OutboxEntry& entry) {
  return entry.state == OutboxState::kWaiting || entry.state == OutboxState::kSending;
}

}  // namespace

absl::Status InMemoryQuotes::Save(QuoteRecord& quote, int ttl_seconds) {
  absl::MutexLock lock(&data_.mutex);
  quote.quote_id = absl::StrCat("00000000-0000-4000-8000-", 100000000000 + data_.next_id++);
  quote.expires_at_unix = NowUnix() + ttl_seconds;
  data_.quotes[quote.quote_id] = quote;
  return absl::OkStatus();
}

absl::StatusOr<QuoteRecord> InMemoryQuotes::Load(const std::string& store_id,
                                                 const std::string& quote_id, bool allow_expired) {
  absl::MutexLock lock(&data_.mutex);
  auto it = data_.quotes.find(quote_id);
  if (it == data_.quotes.end() || it->second.store_id != store_id) {
    return absl::NotFoundError("quote_id: no such quote");
  }
  if (!allow_expired && it->second.expires_at_unix < NowUnix()) {
    return absl::FailedPreconditionError("quote_id: the quote has expired");
  }
  return it->second;
}

std::shared_ptr<const QuoteRecord> InMemoryQuotes::Recent(const std::string& store_id,
                                                          const std::string& quote_id) {
  absl::MutexLock lock(&data_.mutex);
  if (!data_.quotes_at_hand) return nullptr;
  auto it = data_.quotes.find(quote_id);
  if (it == data_.quotes.end() || it->second.store_id != store_id ||
      it->second.expires_at_unix < NowUnix()) {
    return nullptr;
  }
  return std::make_shared<const QuoteRecord>(it->second);
}

absl::Status InMemoryHolds::Insert(HoldRecord& hold) {
  absl::MutexLock lock(&data_.mutex);
  InsertLocked(hold);
  return absl::OkStatus();
}

void InMemoryHolds::InsertLocked(HoldRecord& hold) {
  hold.hold_id = absl::StrCat("00000000-0000-4000-9000-", 100000000000 + data_.next_id++);
  hold.state = HoldState::kActive;
  data_.holds[hold.hold_id] = hold;
}

absl::Status InMemoryHolds::InsertLedger(
    HoldRecord& hold, const std::function<absl::Status(const LedgerHeld&)>& check) {
  absl::MutexLock lock(&data_.mutex);  // the check and the insert at once
  LedgerHeld held;
  const int64_t all = ActiveAmountLocked(hold.program_id, hold.vendor_customer_id, "");
  held.by_this_quote = ActiveAmountLocked(hold.program_id, hold.vendor_customer_id, hold.quote_id);
  held.by_others = all - held.by_this_quote;
  if (absl::Status allowed = check(held); !allowed.ok()) return allowed;
  InsertLocked(hold);
  return absl::OkStatus();
}

absl::Status InMemoryHolds::CloseVendorHoldsOf(int64_t program_id,
                                               const std::string& vendor_customer_id,
                                               HoldState state) {
  absl::MutexLock lock(&data_.mutex);
  for (auto& [id, hold] : data_.holds) {
    if (hold.program_id == program_id && hold.vendor_customer_id == vendor_customer_id &&
        hold.mode == HoldMode::kVendor && hold.state == HoldState::kActive) {
      hold.state = state;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<HoldRecord> InMemoryHolds::Load(const std::string& store_id,
                                               const std::string& hold_id) {
  absl::MutexLock lock(&data_.mutex);
  auto it = data_.holds.find(hold_id);
  if (it == data_.holds.end() || it->second.store_id != store_id) {
    return absl::NotFoundError("no such hold");
  }
  HoldRecord hold = it->second;
  if (hold.state == HoldState::kActive && hold.expires_at_unix < NowUnix()) {
    hold.state = HoldState::kExpired;
  }
  return hold;
}

absl::StatusOr<bool> InMemoryHolds::Close(const std::string& store_id, const std::string& hold_id,
                                          HoldState state, int64_t purchase_id) {
  absl::MutexLock lock(&data_.mutex);
  auto it = data_.holds.find(hold_id);
  if (it == data_.holds.end() || it->second.store_id != store_id ||
      it->second.state != HoldState::kActive) {
    return false;
  }
  it->second.state = state;
  return true;
}

int64_t InMemoryHolds::ActiveAmountLocked(int64_t program_id, const std::string& vendor_customer_id,
                                          const std::string& quote_id) {
  int64_t sum = 0;
  for (const auto& [id, hold] : data_.holds) {
    if (hold.program_id == program_id && hold.vendor_customer_id == vendor_customer_id &&
        hold.state == HoldState::kActive && hold.expires_at_unix >= NowUnix() &&
        (quote_id.empty() || hold.quote_id == quote_id)) {
      sum += hold.amount_centipoints;
    }
  }
  return sum;
}

absl::StatusOr<int64_t> InMemoryHolds::ActiveAmount(int64_t program_id,
                                                    const std::string& vendor_customer_id,
                                                    const std::string& quote_id) {
  absl::MutexLock lock(&data_.mutex);
  return ActiveAmountLocked(program_id, vendor_customer_id, quote_id);
}

absl::StatusOr<int64_t> InMemoryHolds::ExpireDue() {
  absl::MutexLock lock(&data_.mutex);
  int64_t expired = 0;
  for (auto& [id, hold] : data_.holds) {
    if (hold.state == HoldState::kActive && hold.expires_at_unix < NowUnix()) {
      hold.state = HoldState::kExpired;
      ++expired;
    }
  }
  return expired;
}

absl::StatusOr<IdempotencyClaim> InMemoryIdempotency::Find(const std::string& store_id,
                                                           const std::string& key,
                                                           const std::string& method,
                                                           const std::string& request_hash) {
  absl::MutexLock lock(&data_.mutex);
  auto it = data_.idempotency.find({store_id, key});
  IdempotencyClaim claim;
  if (it == data_.idempotency.end()) return claim;
  if (it->second.method != method || it->second.request_hash != request_hash) {
    return absl::AlreadyExistsError("idempotency_key: used before with other content");
  }
  if (!it->second.answer) {
    claim.state = IdempotencyClaim::State::kInProgress;
    return claim;
  }
  claim.state = IdempotencyClaim::State::kReplay;
  claim.status = it->second.answer->status;
  claim.response = it->second.answer->response;
  return claim;
}

absl::Status InMemoryIdempotency::Forget(const std::string& store_id, const std::string& key) {
  absl::MutexLock lock(&data_.mutex);
  data_.idempotency.erase({store_id, key});
  return absl::OkStatus();
}

absl::StatusOr<bool> InMemoryPurchases::WriteIntent(PurchaseRecord& purchase,
                                                    const KeyClaim& claim) {
  absl::MutexLock lock(&data_.mutex);
  // Checked first, taken last: a refused intent claims nothing.
  if (data_.idempotency.contains({purchase.store_id, purchase.idempotency_key})) return false;
  for (const auto& [key, row] : data_.purchases) {
    if (row.record.quote_id == purchase.quote_id && row.record.state != PurchaseState::kFailed &&
        row.record.state != PurchaseState::kDeclined && key.value != purchase.order_number) {
      return absl::FailedPreconditionError("quote_id: the quote is already committed");
    }
  }
  const InMemoryData::Key key{purchase.store_id, purchase.order_number};
  auto it = data_.purchases.find(key);
  if (it != data_.purchases.end()) {
    const PurchaseState state = it->second.record.state;
    if (state == PurchaseState::kPending)
      return absl::AbortedError("order_number: being committed");
    if (state != PurchaseState::kFailed && state != PurchaseState::kDeclined) {
      return absl::AlreadyExistsError("order_number: already committed");
    }
    purchase.purchase_id = it->second.record.purchase_id;
  } else {
    purchase.purchase_id = data_.next_id++;
  }
  purchase.state = PurchaseState::kPending;
  data_.purchases[key] = InMemoryData::PurchaseRow{purchase, absl::Now(), std::nullopt};
  data_.idempotency.emplace(
      InMemoryData::Key{purchase.store_id, purchase.idempotency_key},
      InMemoryData::IdempotencyRow{claim.method, claim.request_hash, std::nullopt});
  return true;
}

absl::Status InMemoryPurchases::WriteOutcome(const PurchaseRecord& purchase,
                                             const std::optional<StoredAnswer>& answer,
                                             const std::vector<OutboxEntry>& outbox) {
  absl::MutexLock lock(&data_.mutex);
  if (data_.fail_next_outcome) {
    data_.fail_next_outcome = false;
    return absl::UnavailableError("the database went away");
  }
  auto it = data_.purchases.find({purchase.store_id, purchase.order_number});
  if (it == data_.purchases.end()) return absl::NotFoundError("no intent for this purchase");
  it->second.record = purchase;
  it->second.busy_until.reset();
  const bool went_through =
      purchase.state == PurchaseState::kBooked || purchase.state == PurchaseState::kConfirmed;
  for (const std::string& hold_id : purchase.hold_ids) {
    auto hold = data_.holds.find(hold_id);
    if (went_through && hold != data_.holds.end() &&
        (hold->second.state == HoldState::kActive || hold->second.state == HoldState::kExpired)) {
      hold->second.state = HoldState::kConsumed;
    }
  }
  for (const auto& p : purchase.programs) {
    if (!p.dropped_vendor_holds) continue;
    for (auto& [id, hold] : data_.holds) {
      if (hold.program_id == p.program_id && hold.vendor_customer_id == p.vendor_customer_id &&
          hold.mode == HoldMode::kVendor && hold.state == HoldState::kActive) {
        hold.state = HoldState::kReleased;
      }
    }
  }
  for (OutboxEntry entry : outbox) {
    entry.outbox_id = data_.next_id++;
    entry.purchase_id = purchase.purchase_id;
    entry.store_id = purchase.store_id;
    entry.order_number = purchase.order_number;
    entry.state = OutboxState::kWaiting;
    data_.outbox.push_back({entry, absl::Now(), absl::InfinitePast(), ""});
  }
  if (answer) {
    data_.idempotency[{purchase.store_id, answer->idempotency_key}].answer = *answer;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StalePurchase>> InMemoryPurchases::StalePending(absl::Duration age) {
  absl::MutexLock lock(&data_.mutex);
  std::vector<StalePurchase> stale;
  for (const auto& [key, row] : data_.purchases) {
    if (row.record.state == PurchaseState::kPending && row.pending_since < absl::Now() - age) {
      stale.push_back({row.record.purchase_id, key.store_id, key.value});
    }
  }
  return stale;
}

absl::StatusOr<bool> InMemoryPurchases::ClaimStale(int64_t purchase_id, absl::Duration age) {
  absl::MutexLock lock(&data_.mutex);
  for (auto& [key, row] : data_.purchases) {
    if (row.record.purchase_id != purchase_id) continue;
    if (row.record.state != PurchaseState::kPending || row.pending_since >= absl::Now() - age)
      return false;
    row.pending_since = absl::Now();
    return true;
  }
  return false;
}

absl::StatusOr<std::optional<int64_t>> InMemoryPurchases::ClaimBusy(const std::string& store_id,
                                                                    const std::string& order_number,
                                                                    const std::string& operation,
                                                                    absl::Duration lease) {
  absl::MutexLock lock(&data_.mutex);
  auto it = data_.purchases.find({store_id, order_number});
  if (it == data_.purchases.end()) return std::nullopt;
  if (it->second.busy_until && *it->second.busy_until >= absl::Now()) return std::nullopt;
  it->second.busy_until = absl::Now() + lease;
  return it->second.record.purchase_id;
}

absl::Status InMemoryPurchases::ReleaseBusy(int64_t purchase_id) {
  absl::MutexLock lock(&data_.mutex);
  for (auto& [key, row] : data_.purchases) {
    if (row.record.purchase_id == purchase_id) row.busy_until.reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<PurchaseRecord> InMemoryPurchases::LoadByOrder(const std::string& store_id,
                                                              const std::string& order_number) {
  absl::MutexLock lock(&data_.mutex);
  auto it = data_.purchases.find({store_id, order_number});
  if (it == data_.purchases.end()) return absl::NotFoundError("order_number: no such purchase");
  return it->second.record;
}

absl::StatusOr<std::vector<int64_t>> InMemoryOutbox::ProgramsWithBacklog() {
  absl::MutexLock lock(&data_.mutex);
  std::vector<int64_t> programs;
  for (const auto& row : data_.outbox) {
    if (Undelivered(row.entry) &&
        std::find(programs.begin(), programs.end(), row.entry.program_id) == programs.end()) {
      programs.push_back(row.entry.program_id);
    }
  }
  std::sort(programs.begin(), programs.end());
  return programs;
}

absl::StatusOr<std::optional<OutboxEntry>> InMemoryOutbox::Head(int64_t program_id) {
  absl::MutexLock lock(&data_.mutex);
  for (const auto& row : data_.outbox) {  // in outbox_id order
    if (row.entry.program_id != program_id || !Undelivered(row.entry)) continue;
    OutboxEntry entry = row.entry;
    entry.lease_expired = entry.state == OutboxState::kSending && row.lease_until <= absl::Now();
    entry.due = row.next_attempt <= absl::Now();
    return entry;
  }
  return std::nullopt;
}

absl::StatusOr<bool> InMemoryOutbox::Claim(OutboxEntry& entry, absl::Duration lease) {
  absl::MutexLock lock(&data_.mutex);
  for (auto& row : data_.outbox) {
    if (row.entry.outbox_id != entry.outbox_id) continue;
    if (row.entry.state != OutboxState::kWaiting || row.next_attempt > absl::Now()) return false;
    row.entry.state = OutboxState::kSending;
    row.entry.attempts += 1;
    row.lease_until = absl::Now() + lease;
    entry.state = row.entry.state;
    entry.attempts = row.entry.attempts;
    return true;
  }
  return false;
}

absl::Status InMemoryOutbox::Retry(const OutboxEntry& entry, const std::string& error,
                                   absl::Duration backoff) {
  absl::MutexLock lock(&data_.mutex);
  for (auto& row : data_.outbox) {
    if (row.entry.outbox_id != entry.outbox_id) continue;
    row.entry.state = OutboxState::kWaiting;
    row.last_error = error;
    row.next_attempt = absl::Now() + backoff;
  }
  return absl::OkStatus();
}

absl::Status InMemoryOutbox::Finish(const OutboxEntry& entry, OutboxState state,
                                    const std::string& error,
                                    const std::optional<PurchaseProgramRecord>& program) {
  absl::MutexLock lock(&data_.mutex);
  for (auto& row : data_.outbox) {
    if (row.entry.outbox_id != entry.outbox_id) continue;
    row.entry.state = state;
    row.last_error = error;
  }
  if (!program) return absl::OkStatus();
  for (auto& [key, row] : data_.purchases) {
    if (row.record.purchase_id != entry.purchase_id) continue;
    int64_t earned = 0;
    for (auto& p : row.record.programs) {
      if (p.program_id == program->program_id) p = *program;
      earned += p.earned_centipoints;
    }
    row.record.earned_centipoints = earned;
  }
  return absl::OkStatus();
}

absl::Status InMemoryJournal::Record(const VendorOperation& operation) {
  absl::MutexLock lock(&data_.mutex);
  data_.journal.push_back(operation);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const StoreContext>> FixedStoreDirectory::Authenticate(
    const std::string& api_key) {
  return absl::UnauthenticatedError("the fixed directory has no keys");
}

absl::StatusOr<std::shared_ptr<const StoreContext>> FixedStoreDirectory::ForStore(
    const std::string& store_id) {
  if (store_id != store_->store_id) return absl::NotFoundError("no such store");
  return store_;
}

std::optional<PurchaseRecord> InMemoryRepositories::Purchase(const std::string& store_id,
                                                             const std::string& order_number) {
  absl::MutexLock lock(&data.mutex);
  auto it = data.purchases.find({store_id, order_number});
  if (it == data.purchases.end()) return std::nullopt;
  return it->second.record;
}

std::vector<OutboxEntry> InMemoryRepositories::OutboxEntries() {
  absl::MutexLock lock(&data.mutex);
  std::vector<OutboxEntry> entries;
  for (const auto& row : data.outbox) entries.push_back(row.entry);
  return entries;
}

void InMemoryRepositories::AgePending(const std::string& store_id, const std::string& order_number,
                                      absl::Duration by) {
  absl::MutexLock lock(&data.mutex);
  auto it = data.purchases.find({store_id, order_number});
  if (it != data.purchases.end()) it->second.pending_since -= by;
}

void InMemoryRepositories::MakeOutboxDue() {
  absl::MutexLock lock(&data.mutex);
  for (auto& row : data.outbox) row.next_attempt = absl::InfinitePast();
}

void InMemoryRepositories::ExpireOutboxLeases() {
  absl::MutexLock lock(&data.mutex);
  for (auto& row : data.outbox) row.lease_until = absl::InfinitePast();
}

}  // namespace loyalty::broker::testing
