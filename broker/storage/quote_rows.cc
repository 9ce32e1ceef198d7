#include "broker/storage/quote_rows.h"

#include <cstring>
#include <iterator>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "broker/common/error_reasons.h"
#include "broker/storage/sql_values.h"
#include "broker/storage/stored_json.h"
#include "connectors/core/json_writer.h"

namespace loyalty::broker {
namespace {

// `t` to the second, as PostgreSQL reads a timestamptz: "2026-12-06 18:30:05+00".
// absl::FormatTime gives the same for 3,500 instructions (a format parsed,
// a zone looked up) on every commit's read.
std::string Timestamp(absl::Time t) {
  const absl::CivilSecond s = absl::ToCivilSecond(t, absl::UTCTimeZone());
  return absl::StrCat(
      absl::Dec(s.year(), absl::kZeroPad4), "-", absl::Dec(s.month(), absl::kZeroPad2), "-",
      absl::Dec(s.day(), absl::kZeroPad2), " ", absl::Dec(s.hour(), absl::kZeroPad2), ":",
      absl::Dec(s.minute(), absl::kZeroPad2), ":", absl::Dec(s.second(), absl::kZeroPad2), "+00");
}

// kQuoteColumns' columns, in its order.
enum class Col {
  kQuoteId,
  kStoreId,
  kCreatedAt,
  kCustomerKind,
  kCustomerValue,
  kTotalBeforeMinor,
  kDiscountMinor,
  kTotalMinor,
  kSpendableCentipoints,
  kEarnCentipoints,
  kCoupons,
  kExpiresAtUnix,
  kLive,
  kLines,
  kLineDiscounts,
  kPrograms,
  kCount
};
constexpr const char* kColumnNames[] = {"quote_id",
                                        "store_id",
                                        "created_at",
                                        "customer_kind",
                                        "customer_value",
                                        "total_before_minor",
                                        "discount_minor",
                                        "total_minor",
                                        "spendable_centipoints",
                                        "earn_centipoints",
                                        "coupons",
                                        "expires_at_unix",
                                        "live",
                                        "lines",
                                        "line_discounts",
                                        "programs"};
static_assert(std::size(kColumnNames) == static_cast<size_t>(Col::kCount));

// A quote's columns in a row, by position. libpqxx finds a column by name
// with libpq's PQfnumber, which copies and folds the name, then compares it
// with every column's: about 1,000 instructions, 17 times per quote read.
// Only the first is found by name; the others follow it in kQuoteColumns'
// order (a statement may have other columns before them), each one's name
// checked.
class QuoteColumnsIn {
 public:
  explicit QuoteColumnsIn(const pqxx::row& row)
      : row_(row), first_(row.column_number(kColumnNames[0])) {}

  pqxx::field operator[](Col column) const {
    const auto index = static_cast<pqxx::row::size_type>(column);
    pqxx::field field = row_[first_ + index];
    if (std::strcmp(field.name(), kColumnNames[index]) != 0) {
      throw std::logic_error(
          absl::StrCat("column ", kColumnNames[index], " is not where kQuoteColumns puts it"));
    }
    return field;
  }

 private:
  const pqxx::row& row_;
  const pqxx::row::size_type first_;
};

// One of a quote's programs as PgQuoteRepository::RowJson stored it.
QuoteProgramRecord ProgramFromJson(const simdjson::dom::object& r) {
  using namespace stored_json;
  QuoteProgramRecord p;
  p.program_id = Int(r, "program_id");
  p.used = Bool(r, "used");
  p.skip_reason = TextOrEmpty(r, "skip_reason");
  p.vendor_customer_id = TextOrEmpty(r, "vendor_customer_id");
  p.discount_minor = Int(r, "discount_minor");
  p.spendable_centipoints = Int(r, "spendable_centipoints");
  p.earn_centipoints = Int(r, "earn_centipoints");
  p.vendor_reference = TextOrEmpty(r, "vendor_reference");
  p.explanation = TextOrEmpty(r, "explanation");
  p.ledger_held_centipoints = Int(r, "ledger_held_centipoints");
  p.unreachable = Bool(r, "unreachable");
  p.balance_centipoints = IntOrNull(r, "balance_centipoints");
  return p;
}

}  // namespace

const char kQuoteColumns[] =
    "quote_id::text AS quote_id, store_id, created_at::text AS created_at, customer_kind, "
    "customer_value, total_before_minor, discount_minor, total_minor, "
    "spendable_centipoints, earn_centipoints, array_to_json(coupons)::text AS coupons, "
    "extract(epoch FROM expires_at)::bigint AS expires_at_unix, expires_at > now() AS live, "
    "lines::text AS lines, line_discounts::text AS line_discounts, programs::text AS programs";

LinesAsJson LinesJson(const std::vector<QuoteLineRecord>& lines) {
  connectors::JsonWriter rows;
  connectors::JsonWriter discounts;
  rows.BeginArray();
  discounts.BeginArray();
  for (const auto& l : lines) {
    const auto& line = l.line;
    rows.BeginObject()
        .Int("line_no", line.line_no)
        .String("sku", line.sku)
        .String("barcode", line.barcode)
        .Int("quantity_milli", line.quantity_milli)
        .Int("unit_price_minor", line.unit_price_minor)
        .Int("min_unit_price_minor", line.min_unit_price_minor)
        .Int("total_before_minor", line.total_before_minor)
        .Int("discount_minor", line.discount_minor)
        .Int("total_minor", line.total_before_minor - line.discount_minor)
        .Int("min_total_minor", line.min_total_minor)
        .EndObject();
    for (size_t i = 0; i < l.discounts.size(); ++i) {
      discounts.BeginObject()
          .Int("line_no", line.line_no)
          .Int("program_id", l.discount_program_ids[i])
          .String("campaign", l.discounts[i].campaign_name)
          .Int("amount_minor", l.discounts[i].amount_minor)
          .StringOrNull("campaign_code", l.discounts[i].campaign_code)
          .StringOrNull("coupon", l.discounts[i].coupon)
          .EndObject();
    }
  }
  rows.EndArray();
  discounts.EndArray();
  return {rows.Take(), discounts.Take()};
}

std::vector<QuoteLineRecord> LinesFromJson(const std::string& lines_text,
                                           const std::string& discounts_text) {
  using namespace stored_json;
  std::vector<QuoteLineRecord> lines;
  ForEachObject(lines_text, [&](const simdjson::dom::object& r) {
    QuoteLineRecord l;
    l.line.line_no = static_cast<int32_t>(Int(r, "line_no"));
    l.line.sku = Text(r, "sku");
    l.line.barcode = Text(r, "barcode");
    l.line.quantity_milli = Int(r, "quantity_milli");
    l.line.unit_price_minor = Int(r, "unit_price_minor");
    l.line.min_unit_price_minor = Int(r, "min_unit_price_minor");
    l.line.total_before_minor = Int(r, "total_before_minor");
    l.line.discount_minor = Int(r, "discount_minor");
    l.line.min_total_minor = Int(r, "min_total_minor");
    lines.push_back(std::move(l));
  });
  ForEachObject(discounts_text, [&](const simdjson::dom::object& r) {
    const auto line_no = static_cast<int32_t>(Int(r, "line_no"));
    for (auto& l : lines) {
      if (l.line.line_no != line_no) continue;
      l.discount_program_ids.push_back(Int(r, "program_id"));
      l.discounts.push_back({.line_no = line_no,
                             .amount_minor = Int(r, "amount_minor"),
                             .campaign_name = Text(r, "campaign"),
                             .campaign_code = TextOrEmpty(r, "campaign_code"),
                             .coupon = TextOrEmpty(r, "coupon")});
    }
  });
  return lines;
}

std::pair<std::string, std::string> RecentQuoteDays(absl::Time now) {
  return {Timestamp(now - absl::Hours(48)), Timestamp(now + absl::Hours(24))};
}

absl::StatusOr<QuoteRecord> QuoteFromRow(const pqxx::row& row, const std::string& store_id,
                                         bool allow_expired) {
  const QuoteColumnsIn h(row);
  if (h[Col::kStoreId].as<std::string>() != store_id)
    return ReasonedError(absl::StatusCode::kNotFound, ErrorReason::kQuoteNotFound,
                         "quote not found");
  QuoteRecord quote;
  quote.quote_id = h[Col::kQuoteId].as<std::string>();
  quote.created_at = h[Col::kCreatedAt].as<std::string>();
  quote.store_id = store_id;
  if (!h[Col::kCustomerKind].is_null()) {
    if (auto kind = CustomerKindFromName(h[Col::kCustomerKind].as<std::string>())) {
      quote.customer = connectors::CustomerRef{*kind, h[Col::kCustomerValue].as<std::string>()};
    }
  }
  quote.total_before_minor = h[Col::kTotalBeforeMinor].as<int64_t>();
  quote.discount_minor = h[Col::kDiscountMinor].as<int64_t>();
  quote.total_minor = h[Col::kTotalMinor].as<int64_t>();
  quote.spendable_centipoints = h[Col::kSpendableCentipoints].as<int64_t>();
  quote.earn_centipoints = h[Col::kEarnCentipoints].as<int64_t>();
  quote.coupons = stored_json::Strings(h[Col::kCoupons].as<std::string>());
  quote.expires_at_unix = h[Col::kExpiresAtUnix].as<int64_t>();
  // Its children are JSON arrays of objects (PgQuoteRepository::RowJson).
  quote.lines =
      LinesFromJson(h[Col::kLines].as<std::string>(), h[Col::kLineDiscounts].as<std::string>());
  stored_json::ForEachObject(
      h[Col::kPrograms].as<std::string>(),
      [&](const simdjson::dom::object& r) { quote.programs.push_back(ProgramFromJson(r)); });
  if (!h[Col::kLive].as<bool>() && !allow_expired)
    return ReasonedError(absl::StatusCode::kFailedPrecondition, ErrorReason::kQuoteExpired,
                         "quote expired; quote the cart again", {{"quote_id", quote.quote_id}});
  return quote;
}

}  // namespace loyalty::broker
