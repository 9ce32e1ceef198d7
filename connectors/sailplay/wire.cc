#include "connectors/sailplay/wire.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "connectors/core/json_reader.h"
#include "connectors/core/json_writer.h"
#include "connectors/http/failure.h"

namespace loyalty::connectors::sailplay {
namespace {

using nlohmann::json;
using namespace json_reader;  // NOLINT: the parsers read nothing else

constexpr int kMoneyScale = 2;     // rubles -> kopecks
constexpr int kQuantityScale = 3;  // pieces -> thousandths
constexpr int kPointsScale = 2;    // points -> centipoints

DeclineKind KindOf(int64_t status_code) {
  switch (status_code) {
    case kUserNotFound:
    case kPurchaseNotFound:
      return DeclineKind::kNotFound;
    case kMissingParameter:
      return DeclineKind::kInvalidArgument;
    case kTokenRefused:
      return DeclineKind::kMisconfigured;
    default:
      return DeclineKind::kRefused;
  }
}

// {"status":"error","status_code":-3001,"message":"..."}; a missing status
// counts as an error too.
Declined DeclineFromEnvelope(const json& body) {
  Declined declined;
  declined.message = OptionalText(body, "message");
  if (declined.message.empty()) declined.message = "request refused";
  if (!body.contains("status_code")) return declined;
  const int64_t code = Integer(body.at("status_code"), "status_code");
  declined.kind = KindOf(code);
  declined.field = code == kTokenRefused ? "token" : absl::StrCat(code);
  return declined;
}

template <typename T, typename Reader>
Outcome<T> ParseEnvelope(int status, std::string_view body, Reader read) {
  if (status >= 500 || (status != 200 && status != 400 && status != 404)) {
    return FailureFromStatus(kVendorName, status);
  }
  json parsed = ParseVendorJson(body);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return FailureFromUnreadable(kVendorName, "not a JSON object");
  }
  try {
    if (OptionalText(parsed, "status") != "ok") return DeclineFromEnvelope(parsed);
    return read(parsed);
  } catch (const BadField& bad) {
    return FailureFromUnreadable(kVendorName, bad.what);
  } catch (const json::exception& e) {
    return FailureFromUnreadable(kVendorName, e.what());
  }
}

int64_t Centipoints(const json& object, const char* name) {
  const int64_t points = OptionalUnits(object, name, kPointsScale);
  if (points < 0) throw BadField{absl::StrCat(name, " negative")};
  return points;
}

std::string RequiredId(const json& object, const char* name) {
  std::string id = Text(Field(object, name));
  if (id.empty()) throw BadField{absl::StrCat(name, " empty")};
  return id;
}

CalcPosition ReadPosition(const json& position) {
  CalcPosition p;
  p.num = static_cast<int32_t>(Integer(Field(position, "num"), "num"));
  p.price_minor = Units(position, "price", kMoneyScale);
  p.new_price_minor = Units(position, "new_price", kMoneyScale);
  p.points_centipoints = Centipoints(position, "points");
  p.discount_points_max_centipoints = Centipoints(position, "discount_points_max");
  if (p.new_price_minor < 0 || p.new_price_minor > p.price_minor) {
    throw BadField{absl::StrCat("position ", p.num, ": new_price outside 0..price")};
  }
  if (position.contains("marketing_actions") && position.at("marketing_actions").is_array()) {
    for (const json& alias : position.at("marketing_actions")) p.actions.push_back(Text(alias));
  }
  return p;
}

// The inner cart object: {"id", "positions": [...], "total_price", "total_points", ...}.
Calc ReadCart(const json& cart) {
  Calc calc;
  calc.cart_id = RequiredId(cart, "id");
  const json& positions = Field(cart, "positions");
  if (!positions.is_array()) throw BadField{"positions: expected an array"};
  for (const json& position : positions) calc.positions.push_back(ReadPosition(position));
  if (cart.contains("text_blocks") && cart.at("text_blocks").is_array()) {
    for (const json& block : cart.at("text_blocks")) {
      if (!block.is_object()) throw BadField{"text_blocks: expected objects"};
      std::string text = OptionalText(block, "value");
      if (!text.empty()) calc.receipt_texts.push_back(std::move(text));
    }
  }
  calc.total_price_minor = OptionalUnits(cart, "total_price", kMoneyScale);
  calc.total_points_centipoints = Centipoints(cart, "total_points");
  calc.discount_points_max_for_user_centipoints =
      Centipoints(cart, "total_discount_points_max_for_user");
  return calc;
}

void ReadActionsApplied(const json& holder, Calc& calc) {
  if (!holder.contains("marketing_actions_applied")) return;
  const json& applied = holder.at("marketing_actions_applied");
  if (!applied.is_array()) throw BadField{"marketing_actions_applied: expected an array"};
  for (const json& action : applied) {
    calc.actions_applied.emplace_back(OptionalText(action, "alias"),
                                      OptionalText(action, "client_msg"));
  }
}

}  // namespace

std::optional<std::pair<std::string, std::string>> UserParam(const CustomerRef& customer) {
  switch (customer.kind) {
    case CustomerRef::Kind::kPhone:
      return std::make_pair(std::string("user_phone"), customer.value);
    case CustomerRef::Kind::kEmail:
      return std::make_pair(std::string("email"), customer.value);
    case CustomerRef::Kind::kExternalId:
      return std::make_pair(std::string("origin_user_id"), customer.value);
    default:
      return std::nullopt;
  }
}

std::string CartJson(const std::vector<CartPosition>& positions) {
  JsonWriter writer;
  writer.BeginObject();
  for (const CartPosition& p : positions) {
    writer.KeyText(absl::StrCat(p.num))
        .BeginObject()
        .Key("sku")
        .String(p.sku)
        .Key("price")
        .Decimal(p.price_minor, kMoneyScale)
        .Key("quantity")
        .Decimal(p.quantity_milli, kQuantityScale)
        .Key("discount_points")
        .Int(p.discount_points)
        .Key("min_price")
        .Decimal(p.min_price_minor, kMoneyScale)
        .EndObject();
  }
  writer.EndObject();
  return writer.str();
}

std::string PromocodesJson(const std::vector<std::string>& codes) {
  JsonWriter writer;
  writer.BeginArray();
  for (const auto& code : codes) writer.String(code);
  writer.EndArray();
  return writer.str();
}

Outcome<std::string> ParseLogin(int status, std::string_view body) {
  Outcome<std::string> outcome = ParseEnvelope<std::string>(
      status, body,
      [](const json& answer) -> Outcome<std::string> { return RequiredId(answer, "token"); });
  if (outcome.declined()) {
    // Whatever the code, a refused login is the program's own credentials.
    Declined declined = outcome.declined_reason();
    declined.kind = DeclineKind::kMisconfigured;
    declined.field = "login";
    return declined;
  }
  return outcome;
}

Outcome<Account> ParseUserInfo(int status, std::string_view body) {
  return ParseEnvelope<Account>(status, body, [](const json& user) -> Outcome<Account> {
    Account account;
    account.vendor_customer_id = RequiredId(user, "id");
    account.name = OptionalText(user, "first_name");
    const std::string last = OptionalText(user, "last_name");
    if (!last.empty()) account.name = account.name.empty() ? last : account.name + " " + last;
    // Only confirmed points can be spent.
    account.balance_centipoints = Centipoints(Field(user, "points"), "confirmed");
    return account;
  });
}

Outcome<Calc> ParseCalc(int status, std::string_view body) {
  return ParseEnvelope<Calc>(status, body, [](const json& answer) -> Outcome<Calc> {
    Calc calc = ReadCart(Field(answer, "cart"));
    ReadActionsApplied(answer, calc);
    return calc;
  });
}

Outcome<Purchase> ParsePurchase(int status, std::string_view body) {
  return ParseEnvelope<Purchase>(status, body, [](const json& answer) -> Outcome<Purchase> {
    const json& purchase = Field(answer, "purchase");
    Purchase p;
    p.id = RequiredId(purchase, "id");
    p.order_num = OptionalText(purchase, "order_num");
    p.is_completed = Boolean(purchase, "is_completed");
    p.points_delta_centipoints = OptionalUnits(purchase, "points_delta", kPointsScale);
    p.price_minor = OptionalUnits(purchase, "price", kMoneyScale);
    p.user_id = OptionalText(purchase, "user_id");
    // The cart, where the answer carries one, nests as cart.cart.positions.
    if (answer.contains("cart") && answer.at("cart").is_object() &&
        answer.at("cart").contains("cart")) {
      const json& positions = Field(answer.at("cart").at("cart"), "positions");
      if (!positions.is_array()) throw BadField{"positions: expected an array"};
      for (const json& position : positions) {
        if (!position.is_object() || !position.contains("discount_points")) continue;
        p.discount_centipoints =
            p.discount_centipoints.value_or(0) + Centipoints(position, "discount_points");
      }
    }
    return p;
  });
}

Outcome<Deleted> ParseDelete(int status, std::string_view body) {
  return ParseEnvelope<Deleted>(status, body, [](const json& answer) -> Outcome<Deleted> {
    return Deleted{RequiredId(answer, "id"), OptionalText(answer, "order_num")};
  });
}

Outcome<Rebound> ParseEditUser(int status, std::string_view body) {
  return ParseEnvelope<Rebound>(status, body, [](const json& answer) -> Outcome<Rebound> {
    return Rebound{RequiredId(answer, "id"), OptionalText(answer, "order_num"),
                   RequiredId(Field(answer, "user"), "id")};
  });
}

bool IsTokenRefusal(std::string_view body) {
  // Cheap look first: almost no answer is a refusal.
  if (body.find(std::to_string(kTokenRefused)) == std::string_view::npos) return false;
  json parsed = ParseVendorJson(body);
  if (!parsed.is_object() || !parsed.contains("status_code")) return false;
  const json& code = parsed.at("status_code");
  return parsed.value("status", "") != "ok" && code.is_number_integer() &&
         code.get<int64_t>() == kTokenRefused;
}

// Mapping between the broker's model and the document's shapes.

// Positions keyed by the broker's line numbers; SKU, or barcode without one.
std::vector<CartPosition> CartFrom(const std::vector<Line>& lines) {
  std::vector<CartPosition> cart;
  cart.reserve(lines.size());
  for (const Line& line : lines) {
    CartPosition p;
    p.num = line.line_no;
    p.sku = line.sku.empty() ? line.barcode : line.sku;
    p.price_minor = line.total_before_minor - line.discount_minor;
    p.quantity_milli = line.quantity_milli;
    p.min_price_minor = line.min_total_minor;
    cart.push_back(p);
  }
  return cart;
}

// Spreads whole points over the positions in order, each up to the limit the
// vendor's calculation gave it. False when they do not fit.
bool SpreadPoints(int64_t points, const Calc& calc, std::vector<CartPosition>& cart) {
  for (CartPosition& p : cart) {
    int64_t limit = 0;
    for (const CalcPosition& c : calc.positions) {
      if (c.num == p.num) limit = c.discount_points_max_centipoints / kCentipointsPerPoint;
    }
    p.discount_points = std::clamp<int64_t>(limit, 0, points);
    points -= p.discount_points;
  }
  return points == 0;
}

// The applied marketing actions, for the quote's explanation.
static std::string Explain(const Calc& calc) {
  if (calc.actions_applied.empty()) return "no marketing action applies";
  std::vector<std::string> aliases;
  for (const auto& applied : calc.actions_applied) aliases.push_back(applied.first);
  return absl::StrCat("marketing actions: ", absl::StrJoin(aliases, ", "));
}

// The applied actions' messages for the customer, one per line.
static std::string CustomerMessage(const Calc& calc) {
  std::vector<std::string> messages;
  for (const auto& applied : calc.actions_applied) {
    if (!applied.second.empty()) messages.push_back(applied.second);
  }
  return absl::StrJoin(messages, "\n");
}

QuoteResult QuoteFrom(const Calc& calc) {
  QuoteResult result;
  result.vendor_reference = calc.cart_id;
  result.explanation = Explain(calc);
  result.customer_message = CustomerMessage(calc);
  result.receipt_texts = calc.receipt_texts;
  for (const CalcPosition& p : calc.positions) {
    const int64_t discount = p.price_minor - p.new_price_minor;
    if (discount <= 0) continue;
    // Positions name the actions by alias only; the alias is both.
    const std::string aliases = absl::StrJoin(p.actions, "+");
    LineDiscount given;
    given.line_no = p.num;
    given.amount_minor = discount;
    given.campaign_name = aliases.empty() ? "SailPlay" : aliases;
    given.campaign_code = aliases;
    result.discounts.push_back(std::move(given));
  }
  return result;
}

PurchaseState StateOf(const Purchase& purchase) {
  PurchaseState state;
  state.vendor_reference = purchase.id;
  state.confirmed = purchase.is_completed;
  state.earned_centipoints = purchase.points_delta_centipoints;
  return state;
}

}  // namespace loyalty::connectors::sailplay
