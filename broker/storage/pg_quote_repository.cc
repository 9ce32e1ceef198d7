#include "broker/storage/pg_quote_repository.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/common/error_reasons.h"
#include "broker/common/hashing.h"
#include "broker/common/random_id.h"
#include "broker/storage/queries.h"
#include "broker/storage/quote_rows.h"
#include "broker/storage/sql_values.h"
#include "connectors/core/json_writer.h"

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

PgQuoteRepository::PgQuoteRepository(ConnectionPool& pool, std::string customer_hash_key,
                                     QuoteWriteSettings settings)
    : pool_(pool),
      customer_hash_key_(std::move(customer_hash_key)),
      wait_above_(settings.wait_above),
      write_wait_(settings.write_wait),
      recheck_after_(settings.recheck_after),
      recent_(settings.recent_bytes),
      rows_(
          "quote",
          [this](const std::vector<Row>& rows) {
            absl::Status status = WriteRows(rows);
            // A row refused on its own is dropped (write_behind.h): its
            // quote is no longer at hand either.
            if (!status.ok() && !absl::IsUnavailable(status) && rows.size() == 1) {
              recent_.Forget(rows.front().quote_id);
            }
            return status;
          },
          [](const Row& row) {
            return WriteBehind<Row>::Label{row.store_id, row.quote_id};
          },
          settings.rows) {}

absl::Status PgQuoteRepository::Save(QuoteRecord& quote, int ttl_seconds) {
  // The id is the broker's, so that the answer names its quote before the
  // database has seen it; the expiry too, the one the till is told.
  if (quote.quote_id.empty()) quote.quote_id = RandomUuid();
  quote.expires_at_unix = absl::ToUnixSeconds(absl::Now()) + ttl_seconds;
  // The lines' JSON once, for the row and for a purchase of the quote.
  LinesAsJson lines = LinesJson(quote.lines);
  std::string row = RowJson(quote, lines);
  // At hand before it is queued: the writer may refuse its row (and forget
  // it) at once.
  recent_.Remember(quote, std::move(lines));
  absl::Status queued =
      rows_.Queue(Row{quote.quote_id, quote.store_id, std::move(row)}, quote.quote_id);
  // The writer falls behind: this quote waits for its row.
  if (queued.ok() && rows_.queued() > wait_above_ && !AwaitWritten(quote.quote_id)) {
    queued = absl::DeadlineExceededError("the quote was not written in time");
  }
  if (queued.ok()) return queued;
  recent_.Forget(quote.quote_id);
  // What a till heard when every quote was written before its answer and
  // the database was away.
  return ReasonedError(absl::StatusCode::kUnavailable, ErrorReason::kDatabaseUnavailable,
                       absl::StrCat("database unavailable: ", queued.message()));
}

std::shared_ptr<const QuoteRecord> PgQuoteRepository::Recent(const std::string& store_id,
                                                             const std::string& quote_id) {
  // Written first: a row the database refused is forgotten by then.
  if (!AwaitWritten(quote_id)) return nullptr;
  return recent_.Find(store_id, quote_id, absl::Now());
}

bool PgQuoteRepository::AwaitWritten(const std::string& quote_id) {
  return rows_.AwaitWritten(quote_id, absl::Now() + write_wait_);
}

std::string PgQuoteRepository::RowJson(const QuoteRecord& quote, const LinesAsJson& lines) const {
  // Its lines, discounts and programs as JSON arrays of objects named as the
  // views quote_lines, quote_line_discounts and quote_programs show them
  // (migration 0012).
  std::string kind, value, hash;
  if (quote.customer) {
    kind = CustomerKindName(quote.customer->kind);
    value = quote.customer->value;
    // The kind is part of what is hashed: a phone and a card number of
    // the same digits are different customers.
    if (!customer_hash_key_.empty()) {
      hash = KeyedHashHex(customer_hash_key_, absl::StrCat(kind, ":", value));
    }
  }
  connectors::JsonWriter row;
  row.BeginObject()
      .String("quote_id", quote.quote_id)
      .String("store_id", quote.store_id)
      .StringOrNull("customer_kind", kind)
      .StringOrNull("customer_value", value)
      .StringOrNull("customer_hash", hash)
      .Int("total_before_minor", quote.total_before_minor)
      .Int("discount_minor", quote.discount_minor)
      .Int("total_minor", quote.total_minor)
      .Int("spendable_centipoints", quote.spendable_centipoints)
      .Int("earn_centipoints", quote.earn_centipoints)
      .BeginArray("coupons");
  for (const std::string& coupon : quote.coupons) row.String(coupon);
  row.EndArray()
      .Int("expires_at_unix", quote.expires_at_unix)
      .Raw("lines", lines.lines)
      .Raw("line_discounts", lines.discounts)
      .BeginArray("programs");
  for (const auto& p : quote.programs) {
    row.BeginObject()
        .Int("program_id", p.program_id)
        .Bool("used", p.used)
        .StringOrNull("skip_reason", p.skip_reason)
        .StringOrNull("vendor_customer_id", p.vendor_customer_id)
        .Int("discount_minor", p.discount_minor)
        .Int("spendable_centipoints", p.spendable_centipoints)
        .Int("earn_centipoints", p.earn_centipoints)
        .StringOrNull("vendor_reference", p.vendor_reference)
        .StringOrNull("explanation", p.explanation)
        .Int("ledger_held_centipoints", p.ledger_held_centipoints)
        .Bool("unreachable", p.unreachable)
        .IntOrNull("balance_centipoints", p.balance_centipoints)
        .EndObject();
  }
  row.EndArray().EndObject();
  return row.Take();
}

absl::Status PgQuoteRepository::WriteRows(const std::vector<Row>& rows) {
  size_t size = 2;
  for (const Row& row : rows) size += row.json.size() + 1;
  std::string batch;
  batch.reserve(size);
  batch += '[';
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) batch += ',';
    batch += rows[i].json;
  }
  batch += ']';
  return pool_.Run([&](pqxx::connection& c) {
    // One statement, so one round trip and its own transaction.
    pqxx::nontransaction tx(c);
    tx.exec_prepared0(q::kInsertQuotes, batch);
    return absl::OkStatus();
  });
}

absl::StatusOr<QuoteRecord> PgQuoteRepository::Load(const std::string& store_id,
                                                    const std::string& quote_id,
                                                    bool allow_expired) {
  if (!LooksLikeUuid(quote_id))
    return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kQuoteNotFound,
                         "quote not found");
  AwaitWritten(quote_id);
  absl::StatusOr<QuoteRecord> quote = LoadWritten(store_id, quote_id, allow_expired);
  if (!absl::IsNotFound(quote.status())) return quote;
  // Another replica may have answered it a moment ago and be writing it.
  absl::SleepFor(recheck_after_);
  return LoadWritten(store_id, quote_id, allow_expired);
}

absl::StatusOr<QuoteRecord> PgQuoteRepository::LoadWritten(const std::string& store_id,
                                                           const std::string& quote_id,
                                                           bool allow_expired) {
  absl::StatusOr<QuoteRecord> quote =
      ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kQuoteNotFound, "quote not found");
  absl::Status status = pool_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: one snapshot, one round trip
    // The recent days' partitions first: where a quote being committed is.
    const auto [from, to] = RecentQuoteDays(absl::Now());
    pqxx::result head = tx.exec_prepared(q::kQuoteById, quote_id, from, to);
    if (head.empty()) head = tx.exec_prepared(q::kQuoteById, quote_id, "-infinity", "infinity");
    if (!head.empty()) quote = QuoteFromRow(head[0], store_id, allow_expired);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return quote;
}

// The statements this file runs, prepared on every connection (queries.h).
const std::vector<NamedQuery>& QuoteQueries() {
  static const std::string kQuoteByIdSql =
      absl::StrCat("SELECT ", kQuoteColumns,
                   " FROM quotes WHERE quote_id = $1::uuid "
                   "AND created_at >= $2::timestamptz AND created_at < $3::timestamptz");
  static const std::vector<NamedQuery> kQueries = {
      // Quotes with their lines, programs and discounts: one row each, one
      // statement. A quote is not a promise: one lost in a crash makes the
      // commit answer NOT_FOUND and the till quotes again. So its commit
      // does not wait for the WAL flush (set_config local to the
      // statement's own transaction).
      {q::kInsertQuotes,
       "WITH asynchronous AS (SELECT set_config('synchronous_commit', 'off', true)) "
       "INSERT INTO quotes (quote_id, store_id, customer_kind, customer_value, customer_hash, "
       "total_before_minor, discount_minor, total_minor, spendable_centipoints, "
       "earn_centipoints, coupons, expires_at, lines, line_discounts, programs) "
       "SELECT r.quote_id, r.store_id, r.customer_kind, r.customer_value, r.customer_hash, "
       "r.total_before_minor, r.discount_minor, r.total_minor, r.spendable_centipoints, "
       "r.earn_centipoints, ARRAY(SELECT jsonb_array_elements_text(r.coupons)), "
       "to_timestamp(r.expires_at_unix), r.lines, r.line_discounts, r.programs "
       "FROM asynchronous, jsonb_to_recordset($1::jsonb) AS r(quote_id uuid, store_id text, "
       "customer_kind text, customer_value text, customer_hash text, total_before_minor bigint, "
       "discount_minor bigint, total_minor bigint, spendable_centipoints bigint, "
       "earn_centipoints bigint, coupons jsonb, expires_at_unix bigint, lines jsonb, "
       "line_discounts jsonb, programs jsonb)"},
      // The quote filed between $2 and $3: the day partitions PostgreSQL
      // looks in, pruned when the generic plan starts. The store is
      // compared, not searched by: a condition on store_id would offer the
      // planner the (store_id, created_at) index, which on a partition not
      // yet analyzed it may take, reading every quote of the store that day.
      {q::kQuoteById, kQuoteByIdSql.c_str()},
  };
  return kQueries;
}

}  // namespace loyalty::broker
