#pragma once

// The core's repositories in memory, for unit tests of the checkout, its
// recovery and the outbox without PostgreSQL. They keep the contracts the
// interfaces state (broker/core/repositories/); atomicity is one mutex.
// The PostgreSQL implementations are tested against a real server by the
// integration tests.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "broker/core/repositories/commit_reads.h"
#include "broker/core/repositories/hold_repository.h"
#include "broker/core/repositories/idempotency_repository.h"
#include "broker/core/repositories/operation_journal.h"
#include "broker/core/repositories/outbox_repository.h"
#include "broker/core/repositories/purchase_repository.h"
#include "broker/core/repositories/quote_repository.h"
#include "broker/core/repositories/store_directory.h"

namespace loyalty::broker::testing {

// What the fakes hold, shared by them as one database.
struct InMemoryData {
  struct Key {
    std::string store_id, value;
    auto operator<=>(const Key&) const = default;
  };
  struct IdempotencyRow {
    std::string method, request_hash;
    std::optional<StoredAnswer> answer;
  };
  struct PurchaseRow {
    PurchaseRecord record;
    absl::Time pending_since;
    std::optional<absl::Time> busy_until;
  };
  struct OutboxRow {
    OutboxEntry entry;
    absl::Time next_attempt;
    absl::Time lease_until;
    std::string last_error;
  };
  absl::Mutex mutex;
  std::map<std::string, QuoteRecord> quotes;
  std::map<std::string, HoldRecord> holds;
  std::map<Key, IdempotencyRow> idempotency;
  std::map<Key, PurchaseRow> purchases;  // by store and order number
  std::vector<OutboxRow> outbox;
  std::vector<VendorOperation> journal;
  int64_t next_id = 1;
  // The next WriteOutcome fails, as when the broker dies before writing it.
  bool fail_next_outcome = false;
  // Quotes saved here are at hand for their commits (QuoteRepository::Recent),
  // as on the replica that answered them; commits read the key and quote
  // only when the quote is not at hand, or the key comes first.
  bool quotes_at_hand = false;
  int commit_reads = 0;
};

class InMemoryQuotes final : public QuoteRepository {
 public:
  explicit InMemoryQuotes(InMemoryData& data) : data_(data) {}
  absl::Status Save(QuoteRecord& quote, int ttl_seconds) override;
  absl::StatusOr<QuoteRecord> Load(const std::string& store_id, const std::string& quote_id,
                                   bool allow_expired = false) override;
  std::shared_ptr<const QuoteRecord> Recent(const std::string& store_id,
                                            const std::string& quote_id) override;

 private:
  InMemoryData& data_;
};

class InMemoryHolds final : public HoldRepository {
 public:
  explicit InMemoryHolds(InMemoryData& data) : data_(data) {}
  absl::Status Insert(HoldRecord& hold) override;
  absl::Status InsertLedger(HoldRecord& hold,
                            const std::function<absl::Status(const LedgerHeld&)>& check) override;
  absl::Status CloseVendorHoldsOf(int64_t program_id, const std::string& vendor_customer_id,
                                  HoldState state) override;
  absl::StatusOr<HoldRecord> Load(const std::string& store_id, const std::string& hold_id) override;
  absl::StatusOr<bool> Close(const std::string& store_id, const std::string& hold_id,
                             HoldState state, int64_t purchase_id) override;
  absl::StatusOr<int64_t> ActiveAmount(int64_t program_id, const std::string& vendor_customer_id,
                                       const std::string& quote_id = "") override;
  absl::StatusOr<int64_t> ExpireDue() override;

 private:
  void InsertLocked(HoldRecord& hold) ABSL_EXCLUSIVE_LOCKS_REQUIRED(data_.mutex);
  int64_t ActiveAmountLocked(int64_t program_id, const std::string& vendor_customer_id,
                             const std::string& quote_id);
  InMemoryData& data_;
};

class InMemoryIdempotency final : public IdempotencyRepository {
 public:
  explicit InMemoryIdempotency(InMemoryData& data) : data_(data) {}
  absl::StatusOr<IdempotencyClaim> Find(const std::string& store_id, const std::string& key,
                                        const std::string& method,
                                        const std::string& request_hash) override;
  absl::Status Forget(const std::string& store_id, const std::string& key) override;

 private:
  InMemoryData& data_;
};

// The key and the quote read one after the other, as the two repositories
// answer them.
class InMemoryCommitReads final : public CommitReads {
 public:
  InMemoryCommitReads(InMemoryData& data, IdempotencyRepository& keys, QuoteRepository& quotes)
      : data_(data), keys_(keys), quotes_(quotes) {}
  absl::StatusOr<CommitStart> Read(const std::string& store_id, const std::string& key,
                                   const std::string& method, const std::string& request_hash,
                                   const std::string& quote_id) override {
    {
      absl::MutexLock lock(&data_.mutex);
      ++data_.commit_reads;
    }
    return CommitStart{keys_.Find(store_id, key, method, request_hash),
                       quotes_.Load(store_id, quote_id)};
  }

 private:
  InMemoryData& data_;
  IdempotencyRepository& keys_;
  QuoteRepository& quotes_;
};

class InMemoryPurchases final : public PurchaseRepository {
 public:
  explicit InMemoryPurchases(InMemoryData& data) : data_(data) {}
  absl::StatusOr<bool> WriteIntent(PurchaseRecord& purchase, const KeyClaim& claim) override;
  absl::Status WriteOutcome(const PurchaseRecord& purchase,
                            const std::optional<StoredAnswer>& answer,
                            const std::vector<OutboxEntry>& outbox = {}) override;
  absl::StatusOr<std::vector<StalePurchase>> StalePending(absl::Duration age) override;
  absl::StatusOr<bool> ClaimStale(int64_t purchase_id, absl::Duration age) override;
  absl::StatusOr<std::optional<int64_t>> ClaimBusy(const std::string& store_id,
                                                   const std::string& order_number,
                                                   const std::string& operation,
                                                   absl::Duration lease) override;
  absl::Status ReleaseBusy(int64_t purchase_id) override;
  absl::StatusOr<PurchaseRecord> LoadByOrder(const std::string& store_id,
                                             const std::string& order_number) override;

 private:
  InMemoryData& data_;
};

class InMemoryOutbox final : public OutboxRepository {
 public:
  explicit InMemoryOutbox(InMemoryData& data) : data_(data) {}
  absl::StatusOr<std::vector<int64_t>> ProgramsWithBacklog() override;
  absl::StatusOr<std::optional<OutboxEntry>> Head(int64_t program_id) override;
  absl::StatusOr<bool> Claim(OutboxEntry& entry, absl::Duration lease) override;
  absl::Status Retry(const OutboxEntry& entry, const std::string& error,
                     absl::Duration backoff) override;
  absl::Status Finish(const OutboxEntry& entry, OutboxState state, const std::string& error,
                      const std::optional<PurchaseProgramRecord>& program) override;

 private:
  InMemoryData& data_;
};

class InMemoryJournal final : public OperationJournal {
 public:
  explicit InMemoryJournal(InMemoryData& data) : data_(data) {}
  absl::Status Record(const VendorOperation& operation) override;

 private:
  InMemoryData& data_;
};

// One store, given whole.
class FixedStoreDirectory final : public StoreDirectory {
 public:
  explicit FixedStoreDirectory(std::shared_ptr<const StoreContext> store)
      : store_(std::move(store)) {}
  absl::StatusOr<std::shared_ptr<const StoreContext>> Authenticate(
      const std::string& api_key) override;
  std::optional<std::shared_ptr<const StoreContext>> Cached(const std::string& api_key) override {
    return std::nullopt;
  }
  absl::StatusOr<std::shared_ptr<const StoreContext>> ForStore(
      const std::string& store_id) override;

 private:
  std::shared_ptr<const StoreContext> store_;
};

// Every repository over one InMemoryData.
struct InMemoryRepositories {
  InMemoryData data;
  InMemoryQuotes quotes{data};
  InMemoryHolds holds{data};
  InMemoryIdempotency idempotency{data};
  InMemoryCommitReads commit_reads{data, idempotency, quotes};
  InMemoryPurchases purchases{data};
  InMemoryOutbox outbox{data};
  InMemoryJournal journal{data};

  // Test access: a copy of the purchase, and the outbox rows.
  std::optional<PurchaseRecord> Purchase(const std::string& store_id,
                                         const std::string& order_number);
  std::vector<OutboxEntry> OutboxEntries();
  // Lets time pass for the purchase (recovery) or the outbox (backoff).
  void AgePending(const std::string& store_id, const std::string& order_number, absl::Duration by);
  void MakeOutboxDue();
  void ExpireOutboxLeases();
};

}  // namespace loyalty::broker::testing
