#pragma once

// Every SQL statement the broker runs, prepared by name on each connection.
// The SQL sits beside the repository that runs it (each file's *Queries());
// the names are here, so a statement two repositories run is one statement.
// No SQL is built by concatenation; values are parameters.

#include <vector>

namespace loyalty::broker {

struct NamedQuery {
  const char* name;
  const char* sql;
};

// Every repository's statements together, for the pool to prepare.
const std::vector<NamedQuery>& AllQueries();
// Each file's own (defined beside the code that runs them).
const std::vector<NamedQuery>& StoreDirectoryQueries();
const std::vector<NamedQuery>& RegistrationQueries();
const std::vector<NamedQuery>& QuoteQueries();
const std::vector<NamedQuery>& HoldQueries();
const std::vector<NamedQuery>& PurchaseQueries();
const std::vector<NamedQuery>& PurchaseIntentQueries();
const std::vector<NamedQuery>& PurchaseOutcomeQueries();
const std::vector<NamedQuery>& ReconciliationQueries();
const std::vector<NamedQuery>& CheckoutStateQueries();
const std::vector<NamedQuery>& PurchaseProgramQueries();
const std::vector<NamedQuery>& OutboxQueries();
const std::vector<NamedQuery>& JournalQueries();
const std::vector<NamedQuery>& IdempotencyQueries();
const std::vector<NamedQuery>& CommitReadQueries();

namespace q {
// Stores and routing
inline constexpr char kStoreByKeyHash[] = "store_by_key_hash";
inline constexpr char kProgramsOfStore[] = "programs_of_store";
inline constexpr char kUpsertStore[] = "upsert_store";
inline constexpr char kKnownTimeZone[] = "known_time_zone";
inline constexpr char kUpsertProgram[] = "upsert_program";
inline constexpr char kUpsertProgramCredentials[] = "upsert_program_credentials";
inline constexpr char kUpsertApiKey[] = "upsert_api_key";
inline constexpr char kRevokeKeysGoneFromFile[] = "revoke_keys_gone_from_file";
// Quotes
inline constexpr char kInsertQuotes[] = "insert_quotes";
inline constexpr char kQuoteById[] = "quote_by_id";
// Holds
inline constexpr char kInsertHold[] = "insert_hold";
inline constexpr char kHoldById[] = "hold_by_id";
inline constexpr char kCloseHold[] = "close_hold";
inline constexpr char kActiveHeldAmount[] = "active_held_amount";
inline constexpr char kExpireHolds[] = "expire_holds";
// Purchases
inline constexpr char kWriteIntent[] = "write_intent";
inline constexpr char kWriteIntentAlone[] = "write_intent_alone";
inline constexpr char kWriteIntentAloneNoHolds[] = "write_intent_alone_no_holds";
inline constexpr char kWriteIntents[] = "write_intents";
inline constexpr char kWriteIntentsNoHolds[] = "write_intents_no_holds";
inline constexpr char kRetryPurchase[] = "retry_purchase";
inline constexpr char kPurchaseStatusByOrder[] = "purchase_status_by_order";
inline constexpr char kLinkRetriedPurchaseHolds[] = "link_retried_purchase_holds";
inline constexpr char kClaimPurchaseBusy[] = "claim_purchase_busy";
inline constexpr char kReleasePurchaseBusy[] = "release_purchase_busy";
inline constexpr char kCloseVendorHoldsOf[] = "close_vendor_holds_of";
inline constexpr char kLockLedger[] = "lock_ledger";
inline constexpr char kClaimReconcileBatch[] = "claim_reconcile_batch";
inline constexpr char kUpsertMismatch[] = "upsert_mismatch";
inline constexpr char kResolveMismatches[] = "resolve_mismatches";
inline constexpr char kOpenMismatchesByProgram[] = "open_mismatches_by_program";
inline constexpr char kWriteOutcome[] = "write_outcome";
inline constexpr char kWriteOutcomeReleasing[] = "write_outcome_releasing";
inline constexpr char kWriteOutcomeBare[] = "write_outcome_bare";
inline constexpr char kWriteOutcomes[] = "write_outcomes";
inline constexpr char kWriteOutcomesReleasing[] = "write_outcomes_releasing";
inline constexpr char kWriteOutcomesBare[] = "write_outcomes_bare";
inline constexpr char kUpdatePurchaseProgram[] = "update_purchase_program";
inline constexpr char kPurchaseByOrder[] = "purchase_by_order";
inline constexpr char kActiveHoldsByProgram[] = "active_holds_by_program";
inline constexpr char kUnfinishedPurchases[] = "unfinished_purchases";
inline constexpr char kPurchasePrograms[] = "purchase_programs";
inline constexpr char kClaimStalePurchase[] = "claim_stale_purchase";
inline constexpr char kStalePendingPurchases[] = "stale_pending_purchases";
inline constexpr char kSumPurchaseEarned[] = "sum_purchase_earned";
// Outbox
inline constexpr char kOutboxPrograms[] = "outbox_programs";
inline constexpr char kOutboxHead[] = "outbox_head";
inline constexpr char kClaimOutbox[] = "claim_outbox";
inline constexpr char kRetryOutbox[] = "retry_outbox";
inline constexpr char kFinishOutbox[] = "finish_outbox";
inline constexpr char kOutboxBacklog[] = "outbox_backlog";
// Journal
inline constexpr char kInsertVendorOperations[] = "insert_vendor_operations";
// Idempotency
inline constexpr char kIdempotencyKey[] = "idempotency_key";
inline constexpr char kForgetIdempotencyKey[] = "forget_idempotency_key";
// A commit's first read
inline constexpr char kCommitReads[] = "commit_reads";
}  // namespace q

}  // namespace loyalty::broker
