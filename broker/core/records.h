#pragma once

// What the broker keeps about a store, its quotes, holds and purchases.
// Plain data shared by the core and the storage layer.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/core/booking_state.h"
#include "broker/core/hold_state.h"
#include "broker/core/outbox_state.h"
#include "broker/core/purchase_state.h"
#include "connectors/core/program.h"
#include "connectors/core/types.h"

namespace loyalty::broker {

// What a store uses a program for. A program is still called for the rest,
// but only these contributions are merged into answers.
struct ProgramUses {
  bool identify = true;
  bool discounts = true;
  bool points = true;  // spending and earning
};

struct StoreProgram {
  std::shared_ptr<const connectors::ProgramConfig> config;
  // The till cannot go on without this program (quotes fail instead of skipping it).
  bool required = false;
  ProgramUses uses;
};

struct StoreContext {
  std::string store_id;
  // In the store's order: discounts merge in this order.
  std::vector<StoreProgram> programs;

  const StoreProgram* FindProgram(const std::string& code) const;
  const StoreProgram* FindProgram(int64_t program_id) const;
};

struct QuoteLineRecord {
  connectors::Line line;  // discount_minor holds the merged discount
  std::vector<connectors::LineDiscount> discounts;
  std::vector<int64_t> discount_program_ids;  // parallel to `discounts`

  bool operator==(const QuoteLineRecord&) const = default;
};

struct QuoteProgramRecord {
  int64_t program_id = 0;
  bool used = false;
  std::string skip_reason;
  std::string skip_reason_code;  // an error reason; answered at the quote, not stored
  // The customer's confirmed points as the vendor reported them at the quote.
  std::optional<int64_t> balance_centipoints;
  // Skipped because the vendor could not be reached, not because it said no.
  bool unreachable = false;
  std::string vendor_customer_id;
  int64_t discount_minor = 0;
  int64_t spendable_centipoints = 0;
  int64_t earn_centipoints = 0;
  // What the broker's ledger held for the customer's other quotes when
  // this one was priced (taken off spendable already).
  int64_t ledger_held_centipoints = 0;
  std::string vendor_reference;
  std::string explanation;
  // The vendor's words for the customer and for the receipt (answered at
  // the quote, not stored).
  std::string customer_message;
  std::vector<std::string> receipt_texts;
};

struct QuoteRecord {
  std::string quote_id;
  // When the database filed it, as it wrote it: with the id, the quote's
  // key (its rows are partitioned by this time).
  std::string created_at;
  std::string store_id;
  std::optional<connectors::CustomerRef> customer;
  std::vector<QuoteLineRecord> lines;
  std::vector<QuoteProgramRecord> programs;
  std::vector<std::string> coupons;
  int64_t total_before_minor = 0;
  int64_t discount_minor = 0;
  int64_t total_minor = 0;
  int64_t spendable_centipoints = 0;
  int64_t earn_centipoints = 0;
  int64_t expires_at_unix = 0;

  const QuoteProgramRecord* FindProgram(int64_t program_id) const;
};

struct HoldRecord {
  std::string hold_id;
  std::string store_id;
  int64_t program_id = 0;
  std::string quote_id;
  std::string vendor_customer_id;
  int64_t amount_centipoints = 0;
  HoldMode mode = HoldMode::kLedger;
  HoldState state = HoldState::kActive;
  int64_t expires_at_unix = 0;
};

struct PurchaseProgramRecord {
  int64_t program_id = 0;
  std::string vendor_customer_id;
  int64_t spend_centipoints = 0;  // asked
  int64_t spent_centipoints = 0;  // done
  int64_t earned_centipoints = 0;
  std::string vendor_reference;
  bool confirmed = false;  // the vendor has nothing left to confirm (not stored)
  // The booking reached a vendor with native holds, which drops the
  // customer's holds at the point on any new operation: the outcome closes
  // the broker's mirror of them (not stored).
  bool dropped_vendor_holds = false;
  BookingState state = BookingState::kPending;
  // The operation `state` is the outcome of.
  BookingOperation last_operation = BookingOperation::kBook;
  // Why, in the vendor's or the broker's words, where the state has a why
  // (declined, failed, in doubt, undo queued or refused, skipped, dropped).
  std::string reason;
  // The quote's balance less spent plus what the vendor credited at once;
  // empty where unknown (see PurchaseResponse in the proto).
  std::optional<int64_t> balance_after_centipoints;

  // Moves to `to` as the outcome of `operation`, for `why`.
  void Become(BookingState to, std::string why = "",
              BookingOperation operation = BookingOperation::kBook);
  // The state and its reason in words, for logs and mismatch reports:
  // "in_doubt: timeout".
  std::string Describe() const;
  // The program's booking stands (or will, from the outbox).
  bool Stands() const;
  // Nothing was ever booked at the vendor for this program.
  bool Skipped() const;
};

struct PurchaseRecord {
  int64_t purchase_id = 0;
  std::string store_id;
  std::string order_number;
  std::string quote_id;
  std::string idempotency_key;
  PurchaseState state = PurchaseState::kPending;
  int64_t total_before_minor = 0;
  int64_t discount_minor = 0;
  int64_t total_minor = 0;
  int64_t spent_centipoints = 0;
  int64_t paid_minor = 0;
  int64_t earned_centipoints = 0;
  std::string failure_reason;
  std::vector<QuoteLineRecord> lines;
  std::vector<PurchaseProgramRecord> programs;
  // Holds the commit named: linked with the intent, consumed once it went
  // through (also when recovery finishes it), left to expire otherwise.
  std::vector<std::string> hold_ids;
  // False only where the broker knows that no hold is linked to the
  // purchase: it wrote the purchase's row itself, new, from an intent that
  // named none (an order committed again keeps its earlier attempt's holds;
  // a purchase read back may have any). Its outcome then consumes none.
  bool holds_maybe_linked = true;
  int64_t created_at_unix = 0;
  int64_t updated_at_unix = 0;

  // Went through with every program's booking standing.
  bool Complete() const;
  // The purchase's points and what is left to pay, from its programs'
  // bookings: for a purchase that went through.
  void TotalFromPrograms();
  // Nothing spent or earned, all of it to pay: for a purchase that did not
  // go through.
  void TotalNothingSpent();
};

// A vendor step left to the outbox (outbox_state.h).
struct OutboxEntry {
  int64_t outbox_id = 0;
  int64_t purchase_id = 0;
  int64_t program_id = 0;
  OutboxStep step = OutboxStep::kBook;
  OutboxState state = OutboxState::kWaiting;
  int attempts = 0;
  bool lease_expired = false;  // while sending: the sender died mid-call
  bool due = true;             // while waiting: its next attempt is due
  std::string store_id;
  std::string order_number;

  // A new entry: `step` for the purchase's program.
  static OutboxEntry For(int64_t program_id, OutboxStep step) {
    OutboxEntry entry;
    entry.program_id = program_id;
    entry.step = step;
    return entry;
  }
};

// One vendor call, as journalled.
struct VendorOperation {
  std::string store_id;
  int64_t program_id = 0;
  std::string program_code;  // for metrics and logs; not stored
  std::string vendor;        // likewise
  std::string operation;     // "identify", "quote", "hold", "release", "book", ...
  std::string quote_id;
  int64_t purchase_id = 0;
  std::string hold_id;
  std::string outcome;  // "approved", "declined", "failed"
  bool maybe_applied = false;
  std::optional<int64_t> amount_minor;
  std::optional<int64_t> points_centipoints;
  std::string vendor_reference;
  std::string decline_field;
  // The vendor refused the program's own settings or credentials: an
  // answer, but the program cannot work (metrics count it as down).
  bool program_refused = false;
  std::string message;
  int64_t latency_us = 0;
  int64_t started_at_unix_us = 0;
};

}  // namespace loyalty::broker
