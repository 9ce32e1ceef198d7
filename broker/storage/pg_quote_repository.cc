#include "broker/storage/pg_quote_repository.h"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "broker/common/error_reasons.h"
#include "broker/storage/queries.h"
#include "broker/storage/sql_values.h"

namespace loyalty::broker {

bool LooksLikeUuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

absl::Status PgQuoteRepository::Save(QuoteRecord& quote, int ttl_seconds) {
  return pool_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    // A quote is not a promise: one lost in a crash makes the commit answer
    // NOT_FOUND and the till quotes again. No wait for the WAL flush.
    tx.exec0("SET LOCAL synchronous_commit = off");
    std::string kind, value;
    if (quote.customer) {
      kind = CustomerKindName(quote.customer->kind);
      value = quote.customer->value;
    }
    std::string coupons = "{";
    for (size_t i = 0; i < quote.coupons.size(); ++i) {
      if (i > 0) coupons += ",";
      coupons += nlohmann::json(quote.coupons[i]).dump();  // a quoted array element
    }
    coupons += "}";
    pqxx::row row = tx.exec_prepared1(
        q::kInsertQuote, quote.store_id, NullIfEmpty(kind), NullIfEmpty(value),
        quote.total_before_minor, quote.discount_minor, quote.total_minor,
        quote.spendable_centipoints, quote.earn_centipoints, coupons, ttl_seconds);
    quote.quote_id = row[0].as<std::string>();
    quote.expires_at_unix = row[1].as<int64_t>();
    for (const auto& l : quote.lines) {
      const auto& line = l.line;
      tx.exec_prepared0(q::kInsertQuoteLine, quote.quote_id, line.line_no, line.sku, line.barcode,
                        line.quantity_milli, line.unit_price_minor, line.min_unit_price_minor,
                        line.total_before_minor, line.discount_minor,
                        line.total_before_minor - line.discount_minor, line.min_total_minor);
    }
    for (const auto& p : quote.programs) {
      tx.exec_prepared0(q::kInsertQuoteProgram, quote.quote_id, p.program_id, p.used,
                        NullIfEmpty(p.skip_reason), NullIfEmpty(p.vendor_customer_id),
                        p.discount_minor, p.spendable_centipoints, p.earn_centipoints,
                        NullIfEmpty(p.vendor_reference), NullIfEmpty(p.explanation),
                        p.ledger_held_centipoints, p.unreachable,
                        NullIfEmpty(OptionalNumberText(p.balance_centipoints)));
    }
    for (const auto& l : quote.lines) {
      for (size_t i = 0; i < l.discounts.size(); ++i) {
        tx.exec_prepared0(q::kInsertQuoteLineDiscount, quote.quote_id, l.line.line_no,
                          l.discount_program_ids[i], l.discounts[i].campaign_name,
                          l.discounts[i].amount_minor, NullIfEmpty(l.discounts[i].campaign_code),
                          NullIfEmpty(l.discounts[i].coupon));
      }
    }
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<QuoteRecord> PgQuoteRepository::Load(const std::string& store_id,
                                                    const std::string& quote_id,
                                                    bool allow_expired) {
  if (!LooksLikeUuid(quote_id))
    return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kQuoteNotFound,
                         "quote not found");
  QuoteRecord quote;
  bool live = false;
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::result head = tx.exec_prepared(q::kQuoteById, quote_id, store_id);
    if (head.empty())
      return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kQuoteNotFound,
                           "quote not found");
    const pqxx::row& h = head[0];
    quote.quote_id = h[0].as<std::string>();
    quote.store_id = store_id;
    if (!h[1].is_null()) {
      if (auto kind = CustomerKindFromName(h[1].as<std::string>())) {
        quote.customer = connectors::CustomerRef{*kind, h[2].as<std::string>()};
      }
    }
    quote.total_before_minor = h[3].as<int64_t>();
    quote.discount_minor = h[4].as<int64_t>();
    quote.total_minor = h[5].as<int64_t>();
    quote.spendable_centipoints = h[6].as<int64_t>();
    quote.earn_centipoints = h[7].as<int64_t>();
    for (const auto& coupon : nlohmann::json::parse(h[8].as<std::string>(), nullptr, false)) {
      if (coupon.is_string()) quote.coupons.push_back(coupon.get<std::string>());
    }
    quote.expires_at_unix = h[9].as<int64_t>();
    live = h[10].as<bool>();
    for (const auto& r : tx.exec_prepared(q::kQuoteLines, quote_id)) {
      quote.lines.push_back(LineFromRow(r));
    }
    for (const auto& r : tx.exec_prepared(q::kQuoteLineDiscounts, quote_id)) {
      AttachDiscountRow(r, quote.lines);
    }
    for (const auto& r : tx.exec_prepared(q::kQuotePrograms, quote_id)) {
      QuoteProgramRecord p;
      p.program_id = r[0].as<int64_t>();
      p.used = r[1].as<bool>();
      p.skip_reason = r[2].as<std::string>();
      p.vendor_customer_id = r[3].as<std::string>();
      p.discount_minor = r[4].as<int64_t>();
      p.spendable_centipoints = r[5].as<int64_t>();
      p.earn_centipoints = r[6].as<int64_t>();
      p.vendor_reference = r[7].as<std::string>();
      p.explanation = r[8].as<std::string>();
      p.ledger_held_centipoints = r[9].as<int64_t>();
      p.unreachable = r[10].as<bool>();
      p.balance_centipoints = OptionalNumberFromText(r[11].as<std::string>());
      quote.programs.push_back(std::move(p));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!live && !allow_expired)
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kQuoteExpired,
                         "quote expired; quote the cart again", {{"quote_id", quote_id}});
  return quote;
}

}  // namespace loyalty::broker
