#pragma once

// A quote as the statements that read one return it: the select list
// kQuoteColumns over `quotes`, read by column name. Shared by the quote's own
// lookup and the commit's first read (pg_commit_reads.h). And the lines and
// line discounts as quotes and purchases keep them: JSON arrays of objects
// (migrations 0012 and 0016).

#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/core/records.h"

namespace loyalty::broker {

// The columns QuoteFromRow reads.
extern const char kQuoteColumns[];

// The day partitions (migration 0012) a quote being committed is in, as the
// bounds of `created_at`: it is at most a TTL old (minutes), and the
// margins cover clocks apart between the broker and PostgreSQL. Only a miss
// looks through every day kept (an old quote's outbox step, an expired
// quote, an unknown id).
std::pair<std::string, std::string> RecentQuoteDays(absl::Time now);

// The quote in `row` as `store_id` may see it: NOT_FOUND when it is another
// store's; FAILED_PRECONDITION when it has expired, unless `allow_expired`.
absl::StatusOr<QuoteRecord> QuoteFromRow(const pqxx::row& row, const std::string& store_id,
                                         bool allow_expired);

// Lines and their discounts as the views quote_lines / purchase_lines and
// quote_line_discounts / purchase_line_discounts show them: the text of two
// JSON arrays. Tills' and vendors' text in them is untrusted: bytes that are
// not UTF-8 are replaced rather than refused (connectors/core/json_writer.h).
struct LinesAsJson {
  std::string lines;
  std::string discounts;
};
LinesAsJson LinesJson(const std::vector<QuoteLineRecord>& lines);
// The lines back from the text of those two arrays, each discount on its
// line, in the arrays' order. Malformed text (not ours) throws.
std::vector<QuoteLineRecord> LinesFromJson(const std::string& lines, const std::string& discounts);

}  // namespace loyalty::broker
