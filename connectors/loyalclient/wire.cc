#include "connectors/loyalclient/wire.h"

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "connectors/core/decimal.h"
#include "connectors/core/json_in_place.h"
#include "connectors/core/json_reader.h"
#include "connectors/core/json_writer.h"
#include "connectors/http/failure.h"

namespace loyalty::connectors::loyalclient {
namespace {

using nlohmann::json;
using namespace json_reader;  // NOLINT: the parsers read nothing else

constexpr int kMoneyScale = 2;    // rubles -> kopecks
constexpr int kPointsScale = 2;   // points -> centipoints
constexpr int kPercentScale = 2;  // percent -> basis points

LevelType ParseLevelType(const std::string& type) {
  if (type == "cashback") return LevelType::kCashback;
  if (type == "discount") return LevelType::kDiscount;
  return LevelType::kUnknown;
}

// 422 {field: message}: the field decides what kind of refusal it is.
Declined DeclineFrom422(const json& body) {
  Declined declined;
  declined.kind = DeclineKind::kRefused;
  if (body.is_object() && !body.empty()) {
    // The iterator itself, not a structured binding to a temporary proxy.
    const auto first = body.begin();
    const std::string field = first.key();
    const json& message = first.value();
    declined.field = field;
    // Only text is the vendor's words; anything else (arbitrarily nested)
    // is never printed back.
    declined.message = message.is_string() ? message.get<std::string>()
                                           : std::string("(the vendor's message is not text)");
    if (field == "client") declined.kind = DeclineKind::kNotFound;
    if (field == "point" || field == "apikey") declined.kind = DeclineKind::kMisconfigured;
    if (field == "amount" || field == "duration") declined.kind = DeclineKind::kInvalidArgument;
  } else {
    declined.message = "request refused";
  }
  return declined;
}

// The envelope's reading, written once for both kinds of document (a
// simdjson element read in place, or nlohmann's tree).
template <typename T, typename Document, typename Reader>
Outcome<T> ReadEnvelope(const Document& parsed, const char* key, const Reader& read) {
  if (!IsObject(parsed)) return FailureFromUnreadable(kVendorName, "not a JSON object");
  try {
    if (!IsTrue(Field(parsed, "success"))) {
      return Declined{DeclineKind::kRefused, "success", "the vendor did not confirm success"};
    }
    if (key == nullptr) return read(parsed);
    return read(Field(parsed, key));
  } catch (const BadField& bad) {
    return FailureFromUnreadable(kVendorName, bad.what);
  } catch (const json::exception& e) {
    return FailureFromUnreadable(kVendorName, e.what());
  }
}

enum class Reading { kInPlace, kTree };

// Shared envelope: 200 {"success": true, <key>: {...}} or 422 {field: message}.
// On success calls `read` with the object under `key` (or the whole body):
// in place where simdjson reads the body, on nlohmann's tree otherwise
// (and for refusals, which are rare).
template <typename T, Reading reading = Reading::kInPlace, typename Reader>
Outcome<T> ParseEnvelope(int status, std::string_view body, const char* key, const Reader& read) {
  if constexpr (reading == Reading::kInPlace) {
    if (status == 200) {
      Element root;
      switch (ReadInPlace(body, &root)) {
        case InPlace::kRead:
          return ReadEnvelope<T>(root, key, read);
        case InPlace::kRefused:
          return FailureFromUnreadable(kVendorName, "not a JSON object");
        case InPlace::kOtherReader:
          break;
      }
    }
  }
  json parsed = ParseVendorJson(body);
  if (status == 422) {
    if (parsed.is_discarded()) return FailureFromUnreadable(kVendorName, "422 without JSON");
    return DeclineFrom422(parsed);
  }
  if (status == 401 || status == 403) {
    return Declined{DeclineKind::kMisconfigured, "apikey", "the program's API key was refused"};
  }
  if (status != 200) return FailureFromStatus(kVendorName, status);
  if (parsed.is_discarded()) return FailureFromUnreadable(kVendorName, "not a JSON object");
  return ReadEnvelope<T>(parsed, key, read);
}

JsonWriter& ClientAndPoint(JsonWriter& writer, std::string_view client, std::string_view point) {
  return writer.Key("client").String(client).Key("point").String(point);
}

}  // namespace

std::string ClientBody(std::string_view search, std::string_view point) {
  JsonWriter writer;
  writer.BeginObject().Key("search").String(search).Key("point").String(point).EndObject();
  return writer.str();
}

std::string RecalcBody(std::string_view client, std::string_view point, int64_t amount_minor) {
  JsonWriter writer;
  writer.BeginObject();
  ClientAndPoint(writer, client, point).Key("amount").Decimal(amount_minor, kMoneyScale);
  writer.EndObject();
  return writer.str();
}

std::string HoldBody(std::string_view client, std::string_view point, int64_t amount_centipoints,
                     int duration_minutes) {
  JsonWriter writer;
  writer.BeginObject();
  ClientAndPoint(writer, client, point).Key("amount").Decimal(amount_centipoints, kPointsScale);
  if (duration_minutes > 0) writer.Key("duration").Int(duration_minutes);
  writer.EndObject();
  return writer.str();
}

std::string ReleaseBody(std::string_view client, std::string_view point) {
  JsonWriter writer;
  writer.BeginObject();
  ClientAndPoint(writer, client, point).EndObject();
  return writer.str();
}

std::string RetailBody(std::string_view client, std::string_view point, int64_t amount_minor,
                       int64_t spend_centipoints) {
  JsonWriter writer;
  writer.BeginObject();
  ClientAndPoint(writer, client, point)
      .Key("amount")
      .Decimal(amount_minor, kMoneyScale)
      .Key("spend")
      .Decimal(spend_centipoints, kPointsScale);
  writer.EndObject();
  return writer.str();
}

namespace {

// The readers of the answers on a checkout's path, for either document.
const auto kReadClient = [](const auto& client) -> Outcome<Account> {
  Account account;
  account.vendor_customer_id = Text(Field(client, "id"));
  if (account.vendor_customer_id.empty()) throw BadField{"client id empty"};
  account.name = OptionalText(client, "name");
  account.balance_centipoints = OptionalUnits(client, "balance", kPointsScale);
  if (const auto level = ObjectMember(client, "level")) {
    account.level.id = OptionalText(*level, "id");
    account.level.title = OptionalText(*level, "title");
    account.level.type = ParseLevelType(OptionalText(*level, "type"));
    account.level.percent_bp = OptionalUnits(*level, "percent", kPercentScale);
    account.level.max_spend_percent_bp = OptionalUnits(*level, "maxSpendPercent", kPercentScale);
  }
  if (account.balance_centipoints < 0) throw BadField{"balance negative"};
  return account;
};

const auto kReadRecalc = [](const auto& recalc) -> Outcome<Recalc> {
  Recalc result;
  result.amount_minor = Units(recalc, "amount", kMoneyScale);
  result.percent_bp = OptionalUnits(recalc, "percent", kPercentScale);
  result.type = ParseLevelType(OptionalText(recalc, "type"));
  result.spend_centipoints = OptionalUnits(recalc, "spend", kPointsScale);
  result.earn_centipoints = OptionalUnits(recalc, "earn", kPointsScale);
  if (result.spend_centipoints < 0 || result.earn_centipoints < 0) {
    throw BadField{"negative spend or earn"};
  }
  if (result.percent_bp < 0 || result.percent_bp > 10000) throw BadField{"percent out of range"};
  return result;
};

const auto kReadRetail = [](const auto& retail) -> Outcome<Retail> {
  Retail result;
  result.amount_minor = Units(retail, "amount", kMoneyScale);
  result.total_minor = OptionalUnits(retail, "total", kMoneyScale);
  result.spent_centipoints = OptionalUnits(retail, "spend", kPointsScale);
  result.earned_centipoints = OptionalUnits(retail, "earn", kPointsScale);
  if (result.spent_centipoints < 0 || result.earned_centipoints < 0) {
    throw BadField{"negative spend or earn"};
  }
  return result;
};

}  // namespace

Outcome<Account> ParseClient(int status, std::string_view body) {
  return ParseEnvelope<Account>(status, body, "client", kReadClient);
}

Outcome<Recalc> ParseRecalc(int status, std::string_view body) {
  return ParseEnvelope<Recalc>(status, body, "recalc", kReadRecalc);
}

Outcome<Held> ParseHold(int status, std::string_view body) {
  return ParseEnvelope<Held, Reading::kTree>(
      status, body, "held", [](const json& held) -> Outcome<Held> {
        const json& until = Field(held, "until");
        if (!until.is_number_integer() && !until.is_number_unsigned()) throw BadField{"until"};
        Held result{until.get<int64_t>(), Units(held, "amount", kPointsScale)};
        if (result.amount_centipoints <= 0) throw BadField{"amount not positive"};
        return result;
      });
}

Outcome<ReleaseResult> ParseRelease(int status, std::string_view body) {
  return ParseEnvelope<ReleaseResult, Reading::kTree>(
      status, body, nullptr, [](const json&) -> Outcome<ReleaseResult> { return ReleaseResult{}; });
}

Outcome<Retail> ParseRetail(int status, std::string_view body) {
  return ParseEnvelope<Retail>(status, body, "retail", kReadRetail);
}

namespace reference {

Outcome<Account> ParseClient(int status, std::string_view body) {
  return ParseEnvelope<Account, Reading::kTree>(status, body, "client", kReadClient);
}

Outcome<Recalc> ParseRecalc(int status, std::string_view body) {
  return ParseEnvelope<Recalc, Reading::kTree>(status, body, "recalc", kReadRecalc);
}

Outcome<Retail> ParseRetail(int status, std::string_view body) {
  return ParseEnvelope<Retail, Reading::kTree>(status, body, "retail", kReadRetail);
}

}  // namespace reference

int HoldMinutes(int32_t ttl_seconds) {
  if (ttl_seconds <= 0) return 0;
  const int minutes = (ttl_seconds + 59) / 60;
  return minutes > kMaxHoldMinutes ? kMaxHoldMinutes : minutes;
}

}  // namespace loyalty::connectors::loyalclient
