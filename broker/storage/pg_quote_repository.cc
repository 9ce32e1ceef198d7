#include "broker/storage/pg_quote_repository.h"

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "broker/common/error_reasons.h"
#include "broker/common/random_id.h"
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

namespace {

// Quotes are filed in day partitions (migration 0012). A lookup names the
// days it looks through: a quote being committed is at most a TTL old (the
// TTL is minutes), one an outbox step books may be as old as the retention.
constexpr int kRecentDays = 2;
constexpr int kAnyDays = 1000000;

nlohmann::json OrNull(const std::string& text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

// Text from vendors and tills is untrusted: bytes that are not UTF-8 are
// replaced rather than refused.
std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Our own statement's JSON; a malformed one is a bug, thrown as such.
nlohmann::json ParsedArray(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text);
  if (!parsed.is_array()) throw std::runtime_error("expected a JSON array from the database");
  return parsed;
}

}  // namespace

PgQuoteRepository::PgQuoteRepository(ConnectionPool& pool, size_t max_batch)
    : pool_(pool),
      writer_([this](const std::vector<PendingQuote*>& pending) { return SaveAll(pending); },
              max_batch) {}

absl::Status PgQuoteRepository::Save(QuoteRecord& quote, int ttl_seconds) {
  // The id is the broker's, so that a batch's rows reference their quote
  // before the database has seen it. Kept if the write fails and is retried.
  if (quote.quote_id.empty()) quote.quote_id = RandomUuid();
  PendingQuote pending{&quote, ttl_seconds};
  return writer_.Write(pending);
}

absl::Status PgQuoteRepository::SaveAll(const std::vector<PendingQuote*>& pending) {
  nlohmann::json quotes = nlohmann::json::array();
  nlohmann::json lines = nlohmann::json::array();
  nlohmann::json discounts = nlohmann::json::array();
  nlohmann::json programs = nlohmann::json::array();
  for (const PendingQuote* item : pending) {
    const QuoteRecord& quote = *item->quote;
    std::string kind, value;
    if (quote.customer) {
      kind = CustomerKindName(quote.customer->kind);
      value = quote.customer->value;
    }
    quotes.push_back({{"quote_id", quote.quote_id},
                      {"store_id", quote.store_id},
                      {"customer_kind", OrNull(kind)},
                      {"customer_value", OrNull(value)},
                      {"total_before_minor", quote.total_before_minor},
                      {"discount_minor", quote.discount_minor},
                      {"total_minor", quote.total_minor},
                      {"spendable_centipoints", quote.spendable_centipoints},
                      {"earn_centipoints", quote.earn_centipoints},
                      {"coupons", quote.coupons},
                      {"ttl_seconds", item->ttl_seconds}});
    for (const auto& l : quote.lines) {
      const auto& line = l.line;
      lines.push_back({{"quote_id", quote.quote_id},
                       {"line_no", line.line_no},
                       {"sku", line.sku},
                       {"barcode", line.barcode},
                       {"quantity_milli", line.quantity_milli},
                       {"unit_price_minor", line.unit_price_minor},
                       {"min_unit_price_minor", line.min_unit_price_minor},
                       {"total_before_minor", line.total_before_minor},
                       {"discount_minor", line.discount_minor},
                       {"total_minor", line.total_before_minor - line.discount_minor},
                       {"min_total_minor", line.min_total_minor}});
      for (size_t i = 0; i < l.discounts.size(); ++i) {
        discounts.push_back({{"quote_id", quote.quote_id},
                             {"line_no", line.line_no},
                             {"program_id", l.discount_program_ids[i]},
                             {"campaign", l.discounts[i].campaign_name},
                             {"amount_minor", l.discounts[i].amount_minor},
                             {"campaign_code", OrNull(l.discounts[i].campaign_code)},
                             {"coupon", OrNull(l.discounts[i].coupon)}});
      }
    }
    for (const auto& p : quote.programs) {
      programs.push_back(
          {{"quote_id", quote.quote_id},
           {"program_id", p.program_id},
           {"used", p.used},
           {"skip_reason", OrNull(p.skip_reason)},
           {"vendor_customer_id", OrNull(p.vendor_customer_id)},
           {"discount_minor", p.discount_minor},
           {"spendable_centipoints", p.spendable_centipoints},
           {"earn_centipoints", p.earn_centipoints},
           {"vendor_reference", OrNull(p.vendor_reference)},
           {"explanation", OrNull(p.explanation)},
           {"ledger_held_centipoints", p.ledger_held_centipoints},
           {"unreachable", p.unreachable},
           {"balance_centipoints",
            p.balance_centipoints ? nlohmann::json(*p.balance_centipoints) : nlohmann::json()}});
    }
  }
  const std::string quotes_json = Dump(quotes);
  const std::string lines_json = Dump(lines);
  const std::string programs_json = Dump(programs);
  const std::string discounts_json = Dump(discounts);
  return pool_.Run([&](pqxx::connection& c) {
    // One statement, so one round trip and its own transaction.
    pqxx::nontransaction tx(c);
    pqxx::result rows =
        tx.exec_prepared(q::kInsertQuotes, quotes_json, lines_json, programs_json, discounts_json);
    std::map<std::string, int64_t> expires;
    for (const auto& row : rows) expires[row[0].as<std::string>()] = row[1].as<int64_t>();
    for (PendingQuote* item : pending) {
      auto it = expires.find(item->quote->quote_id);
      if (it == expires.end()) throw std::runtime_error("a quote of the batch was not written");
      item->quote->expires_at_unix = it->second;
    }
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
    pqxx::nontransaction tx(c);  // one statement: one snapshot, one round trip
    // The recent days' partitions first: where a quote being committed is.
    // Only a miss looks through every day kept (an old quote's outbox step,
    // an expired quote, an unknown id).
    pqxx::result head = tx.exec_prepared(q::kQuoteById, quote_id, store_id, kRecentDays);
    if (head.empty()) head = tx.exec_prepared(q::kQuoteById, quote_id, store_id, kAnyDays);
    if (head.empty())
      return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kQuoteNotFound,
                           "quote not found");
    const pqxx::row& h = head[0];
    quote.quote_id = h["quote_id"].as<std::string>();
    quote.created_at = h["created_at"].as<std::string>();
    quote.store_id = store_id;
    if (!h["customer_kind"].is_null()) {
      if (auto kind = CustomerKindFromName(h["customer_kind"].as<std::string>())) {
        quote.customer = connectors::CustomerRef{*kind, h["customer_value"].as<std::string>()};
      }
    }
    quote.total_before_minor = h["total_before_minor"].as<int64_t>();
    quote.discount_minor = h["discount_minor"].as<int64_t>();
    quote.total_minor = h["total_minor"].as<int64_t>();
    quote.spendable_centipoints = h["spendable_centipoints"].as<int64_t>();
    quote.earn_centipoints = h["earn_centipoints"].as<int64_t>();
    for (const auto& coupon :
         nlohmann::json::parse(h["coupons"].as<std::string>(), nullptr, false)) {
      if (coupon.is_string()) quote.coupons.push_back(coupon.get<std::string>());
    }
    quote.expires_at_unix = h["expires_at_unix"].as<int64_t>();
    live = h["live"].as<bool>();
    // Its children come along as JSON arrays of columns, in the order the
    // statement lists them.
    for (const auto& r : ParsedArray(h["lines"].as<std::string>())) {
      QuoteLineRecord l;
      l.line.line_no = r.at(0).get<int32_t>();
      l.line.sku = r.at(1).get<std::string>();
      l.line.barcode = r.at(2).get<std::string>();
      l.line.quantity_milli = r.at(3).get<int64_t>();
      l.line.unit_price_minor = r.at(4).get<int64_t>();
      l.line.min_unit_price_minor = r.at(5).get<int64_t>();
      l.line.total_before_minor = r.at(6).get<int64_t>();
      l.line.discount_minor = r.at(7).get<int64_t>();
      l.line.min_total_minor = r.at(8).get<int64_t>();
      quote.lines.push_back(std::move(l));
    }
    for (const auto& r : ParsedArray(h["discounts"].as<std::string>())) {
      const int32_t line_no = r.at(0).get<int32_t>();
      for (auto& l : quote.lines) {
        if (l.line.line_no != line_no) continue;
        l.discount_program_ids.push_back(r.at(1).get<int64_t>());
        l.discounts.push_back({.line_no = line_no,
                               .amount_minor = r.at(3).get<int64_t>(),
                               .campaign_name = r.at(2).get<std::string>(),
                               .campaign_code = r.at(4).get<std::string>(),
                               .coupon = r.at(5).get<std::string>()});
      }
    }
    for (const auto& r : ParsedArray(h["programs"].as<std::string>())) {
      QuoteProgramRecord p;
      p.program_id = r.at(0).get<int64_t>();
      p.used = r.at(1).get<bool>();
      p.skip_reason = r.at(2).get<std::string>();
      p.vendor_customer_id = r.at(3).get<std::string>();
      p.discount_minor = r.at(4).get<int64_t>();
      p.spendable_centipoints = r.at(5).get<int64_t>();
      p.earn_centipoints = r.at(6).get<int64_t>();
      p.vendor_reference = r.at(7).get<std::string>();
      p.explanation = r.at(8).get<std::string>();
      p.ledger_held_centipoints = r.at(9).get<int64_t>();
      p.unreachable = r.at(10).get<bool>();
      if (!r.at(11).is_null()) p.balance_centipoints = r.at(11).get<int64_t>();
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

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& QuoteQueries() {
  static const std::vector<NamedQuery> kQueries = {
      // Quotes with their lines, programs and discounts: one statement.
      // A quote is not a promise: one lost in a crash makes the commit
      // answer NOT_FOUND and the till quotes again. So its commit does not
      // wait for the WAL flush (set_config local to the statement's own
      // transaction). The children's keys are checked at the statement's
      // end, when the quote rows are there.
      {q::kInsertQuotes,
       "WITH asynchronous AS (SELECT set_config('synchronous_commit', 'off', true)), "
       "quote AS (INSERT INTO quotes (quote_id, store_id, customer_kind, customer_value, "
       "total_before_minor, discount_minor, total_minor, spendable_centipoints, "
       "earn_centipoints, coupons, expires_at) "
       "SELECT r.quote_id, r.store_id, r.customer_kind, r.customer_value, "
       "r.total_before_minor, r.discount_minor, r.total_minor, r.spendable_centipoints, "
       "r.earn_centipoints, ARRAY(SELECT jsonb_array_elements_text(r.coupons)), "
       "now() + make_interval(secs => r.ttl_seconds) "
       "FROM asynchronous, jsonb_to_recordset($1::jsonb) AS r(quote_id uuid, store_id text, "
       "customer_kind text, customer_value text, total_before_minor bigint, "
       "discount_minor bigint, total_minor bigint, spendable_centipoints bigint, "
       "earn_centipoints bigint, coupons jsonb, ttl_seconds integer) "
       "RETURNING quote_id, expires_at), "
       "lines AS (INSERT INTO quote_lines (quote_id, line_no, sku, barcode, quantity_milli, "
       "unit_price_minor, min_unit_price_minor, total_before_minor, discount_minor, total_minor, "
       "min_total_minor) "
       "SELECT r.quote_id, r.line_no, r.sku, r.barcode, r.quantity_milli, r.unit_price_minor, "
       "r.min_unit_price_minor, r.total_before_minor, r.discount_minor, r.total_minor, "
       "r.min_total_minor "
       "FROM jsonb_to_recordset($2::jsonb) AS r(quote_id uuid, line_no integer, sku text, "
       "barcode text, quantity_milli bigint, unit_price_minor bigint, "
       "min_unit_price_minor bigint, total_before_minor bigint, discount_minor bigint, "
       "total_minor bigint, min_total_minor bigint)), "
       "programs AS (INSERT INTO quote_programs (quote_id, program_id, used, skip_reason, "
       "vendor_customer_id, discount_minor, spendable_centipoints, earn_centipoints, "
       "vendor_reference, explanation, ledger_held_centipoints, unreachable, "
       "balance_centipoints) "
       "SELECT r.quote_id, r.program_id, r.used, r.skip_reason, r.vendor_customer_id, "
       "r.discount_minor, r.spendable_centipoints, r.earn_centipoints, r.vendor_reference, "
       "r.explanation, r.ledger_held_centipoints, r.unreachable, r.balance_centipoints "
       "FROM jsonb_to_recordset($3::jsonb) AS r(quote_id uuid, program_id bigint, "
       "used boolean, skip_reason text, vendor_customer_id text, discount_minor bigint, "
       "spendable_centipoints bigint, earn_centipoints bigint, vendor_reference text, "
       "explanation text, ledger_held_centipoints bigint, unreachable boolean, "
       "balance_centipoints bigint)), "
       "discounts AS (INSERT INTO quote_line_discounts (quote_id, line_no, program_id, "
       "campaign, amount_minor, campaign_code, coupon) "
       "SELECT r.quote_id, r.line_no, r.program_id, r.campaign, r.amount_minor, "
       "r.campaign_code, r.coupon "
       "FROM jsonb_to_recordset($4::jsonb) AS r(quote_id uuid, line_no integer, "
       "program_id bigint, campaign text, amount_minor bigint, campaign_code text, "
       "coupon text)) "
       "SELECT quote_id::text, extract(epoch FROM expires_at)::bigint FROM quote"},
      // The quote with its children as JSON arrays of columns, among the
      // quotes of the last $3 days: the partitions PostgreSQL looks in (not
      // the days made ahead; a day's margin for a quote written by a
      // transaction that began a moment after this one).
      {q::kQuoteById,
       "SELECT quote_id::text AS quote_id, created_at::text AS created_at, customer_kind, "
       "customer_value, total_before_minor, "
       "discount_minor, total_minor, spendable_centipoints, earn_centipoints, "
       "array_to_json(coupons)::text AS coupons, "
       "extract(epoch FROM expires_at)::bigint AS expires_at_unix, expires_at > now() AS live, "
       "(SELECT coalesce(json_agg(json_build_array(line_no, sku, barcode, quantity_milli, "
       "unit_price_minor, min_unit_price_minor, total_before_minor, discount_minor, "
       "min_total_minor) ORDER BY line_no), '[]') FROM quote_lines l "
       "WHERE l.quote_id = q.quote_id AND l.created_at = q.created_at)::text AS lines, "
       "(SELECT coalesce(json_agg(json_build_array(line_no, program_id, campaign, amount_minor, "
       "coalesce(campaign_code, ''), coalesce(coupon, '')) ORDER BY line_no, program_id), '[]') "
       "FROM quote_line_discounts d WHERE d.quote_id = q.quote_id AND d.created_at = q.created_at)"
       "::text AS discounts, "
       "(SELECT coalesce(json_agg(json_build_array(program_id, used, coalesce(skip_reason, ''), "
       "coalesce(vendor_customer_id, ''), discount_minor, spendable_centipoints, "
       "earn_centipoints, coalesce(vendor_reference, ''), coalesce(explanation, ''), "
       "ledger_held_centipoints, unreachable, balance_centipoints)), '[]') "
       "FROM quote_programs p WHERE p.quote_id = q.quote_id AND p.created_at = q.created_at)"
       "::text AS programs "
       "FROM quotes q WHERE q.quote_id = $1::uuid AND q.store_id = $2 "
       "AND q.created_at >= now() - make_interval(days => $3) "
       "AND q.created_at < now() + interval '1 day'"},
  };
  return kQueries;
}

}  // namespace loyalty::broker
