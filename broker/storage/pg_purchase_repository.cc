#include "broker/storage/pg_purchase_repository.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"
#include "broker/common/status_details.h"
#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {

absl::Status PgPurchaseRepository::WriteIntent(PurchaseRecord& p) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    // A quote backs one purchase (a unique index is the backstop for races).
    pqxx::result other =
        tx.exec_prepared(q::kQuoteCommittedAs, p.quote_id, p.store_id, p.order_number);
    if (!other.empty()) {
      return ReasonedError(absl::StatusCode::kFailedPrecondition,
                           ErrorReason::kQuoteAlreadyCommitted,
                           absl::StrCat("quote_id: the quote is already committed as order ",
                                        other[0][0].as<std::string>(), "; quote the cart again"),
                           {{"order_number", other[0][0].as<std::string>()}});
    }
    pqxx::result inserted = tx.exec_prepared(
        q::kInsertPurchase, p.store_id, p.order_number, p.quote_id, p.idempotency_key,
        p.total_before_minor, p.discount_minor, p.total_minor, p.spent_centipoints, p.paid_minor);
    if (inserted.empty()) {
      inserted = tx.exec_prepared(q::kRetryPurchase, p.store_id, p.order_number, p.quote_id,
                                  p.idempotency_key, p.total_before_minor, p.discount_minor,
                                  p.total_minor, p.spent_centipoints, p.paid_minor);
    }
    if (inserted.empty()) {
      pqxx::result existing =
          tx.exec_prepared(q::kPurchaseStatusByOrder, p.store_id, p.order_number);
      const std::string status = existing.empty() ? "" : existing[0][0].as<std::string>();
      if (status == "pending") {
        return ReasonedError(
            absl::StatusCode::kAborted, ErrorReason::kRequestInProgress,
            absl::StrCat("order_number: ", p.order_number, " is being committed right now"),
            {{"order_number", p.order_number}});
      }
      if (status == "failed" || status == "declined") {
        return ReasonedError(absl::StatusCode::kAborted, ErrorReason::kPurchaseBusy,
                             absl::StrCat("order_number: ", p.order_number,
                                          " is still being undone at a vendor; try again shortly"),
                             {{"order_number", p.order_number}});
      }
      return ReasonedError(
          absl::StatusCode::kAlreadyExists, ErrorReason::kOrderNumberTaken,
          absl::StrCat("order_number: ", p.order_number, " is already committed (", status, ")"),
          {{"order_number", p.order_number}, {"status", status}});
    }
    p.purchase_id = inserted[0][0].as<int64_t>();
    p.status = "pending";
    tx.exec_prepared0(q::kDeletePurchaseLineDiscounts, p.purchase_id);
    tx.exec_prepared0(q::kDeletePurchaseLines, p.purchase_id);
    tx.exec_prepared0(q::kDeletePurchasePrograms, p.purchase_id);
    for (const auto& l : p.lines) {
      tx.exec_prepared0(q::kInsertPurchaseLine, p.purchase_id, l.line.line_no, l.line.sku,
                        l.line.barcode, l.line.quantity_milli, l.line.unit_price_minor,
                        l.line.total_before_minor, l.line.discount_minor,
                        l.line.total_before_minor - l.line.discount_minor,
                        l.line.min_unit_price_minor, l.line.min_total_minor);
      for (size_t i = 0; i < l.discounts.size(); ++i) {
        tx.exec_prepared0(q::kInsertPurchaseLineDiscount, p.purchase_id, l.line.line_no,
                          l.discount_program_ids[i], l.discounts[i].campaign_name,
                          l.discounts[i].amount_minor, NullIfEmpty(l.discounts[i].campaign_code),
                          NullIfEmpty(l.discounts[i].coupon));
      }
    }
    for (const auto& hold_id : p.hold_ids) {
      tx.exec_prepared0(q::kLinkHold, hold_id, p.store_id, p.purchase_id);
    }
    for (const auto& prog : p.programs) {
      tx.exec_prepared0(q::kInsertPurchaseProgram, p.purchase_id, prog.program_id,
                        NullIfEmpty(prog.vendor_customer_id), prog.spend_centipoints);
    }
    tx.commit();
    return absl::OkStatus();
  });
}

absl::Status PgPurchaseRepository::WriteOutcome(const PurchaseRecord& p,
                                                const std::optional<StoredAnswer>& answer,
                                                const std::vector<OutboxEntry>& outbox) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kFinishPurchase, p.purchase_id, p.status, p.spent_centipoints,
                      p.paid_minor, p.earned_centipoints, NullIfEmpty(p.failure_reason));
    for (const auto& prog : p.programs) {
      tx.exec_prepared0(q::kUpdatePurchaseProgram, p.purchase_id, prog.program_id,
                        prog.spent_centipoints, prog.earned_centipoints,
                        NullIfEmpty(prog.vendor_reference), prog.status, prog.vendor_customer_id,
                        NullIfEmpty(OptionalNumberText(prog.balance_after_centipoints)));
    }
    for (const auto& entry : outbox) {
      tx.exec_prepared0(q::kInsertOutbox, p.purchase_id, entry.program_id, entry.operation);
    }
    // After the purchase's own holds were consumed above.
    for (const auto& prog : p.programs) {
      if (!prog.dropped_vendor_holds) continue;
      tx.exec_prepared0(q::kCloseVendorHoldsOf, prog.program_id, prog.vendor_customer_id,
                        "released");
    }
    if (answer) {
      tx.exec_prepared0(q::kCompleteIdempotencyKey, p.store_id, answer->idempotency_key,
                        static_cast<int>(answer->status.code()),
                        std::string(answer->status.message()), pqxx::binarystring(answer->response),
                        pqxx::binarystring(SerializedDetails(answer->status)));
    }
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<StalePurchase>> PgPurchaseRepository::StalePending(absl::Duration age) {
  std::vector<StalePurchase> orders;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& r : tx.exec_prepared(q::kStalePendingPurchases, absl::ToDoubleSeconds(age))) {
      orders.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<std::string>()});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return orders;
}

absl::StatusOr<bool> PgPurchaseRepository::ClaimStale(int64_t purchase_id, absl::Duration age) {
  bool claimed = false;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    claimed =
        !tx.exec_prepared(q::kClaimStalePurchase, purchase_id, absl::ToDoubleSeconds(age)).empty();
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

absl::StatusOr<std::optional<int64_t>> PgPurchaseRepository::ClaimBusy(
    const std::string& store_id, const std::string& order_number, const std::string& operation,
    absl::Duration lease) {
  std::optional<int64_t> claimed;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result r = tx.exec_prepared(q::kClaimPurchaseBusy, store_id, order_number, operation,
                                      absl::ToDoubleSeconds(lease));
    if (!r.empty()) claimed = r[0][0].as<int64_t>();
    tx.commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

absl::Status PgPurchaseRepository::ReleaseBusy(int64_t purchase_id) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0(q::kReleasePurchaseBusy, purchase_id);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<PurchaseRecord> PgPurchaseRepository::LoadByOrder(const std::string& store_id,
                                                                 const std::string& order_number) {
  PurchaseRecord p;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::result head = tx.exec_prepared(q::kPurchaseByOrder, store_id, order_number);
    if (head.empty())
      return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kPurchaseNotFound,
                           "purchase not found");
    const pqxx::row& h = head[0];
    p.purchase_id = h[0].as<int64_t>();
    p.store_id = store_id;
    p.order_number = h[1].as<std::string>();
    p.quote_id = h[2].as<std::string>();
    p.idempotency_key = h[3].as<std::string>();
    p.status = h[4].as<std::string>();
    p.total_before_minor = h[5].as<int64_t>();
    p.discount_minor = h[6].as<int64_t>();
    p.total_minor = h[7].as<int64_t>();
    p.spent_centipoints = h[8].as<int64_t>();
    p.paid_minor = h[9].as<int64_t>();
    p.earned_centipoints = h[10].as<int64_t>();
    p.failure_reason = h[11].as<std::string>();
    p.created_at_unix = h[12].as<int64_t>();
    p.updated_at_unix = h[13].as<int64_t>();
    for (const auto& r : tx.exec_prepared(q::kPurchaseLines, p.purchase_id)) {
      p.lines.push_back(LineFromRow(r));
    }
    for (const auto& r : tx.exec_prepared(q::kPurchaseLineDiscounts, p.purchase_id)) {
      AttachDiscountRow(r, p.lines);
    }
    for (const auto& r : tx.exec_prepared(q::kPurchasePrograms, p.purchase_id)) {
      PurchaseProgramRecord prog;
      prog.program_id = r[0].as<int64_t>();
      prog.vendor_customer_id = r[1].as<std::string>();
      prog.spend_centipoints = r[2].as<int64_t>();
      prog.spent_centipoints = r[3].as<int64_t>();
      prog.earned_centipoints = r[4].as<int64_t>();
      prog.vendor_reference = r[5].as<std::string>();
      prog.status = r[6].as<std::string>();
      prog.balance_after_centipoints = OptionalNumberFromText(r[7].as<std::string>());
      p.programs.push_back(std::move(prog));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return p;
}

}  // namespace loyalty::broker
