#include "connectors/artix/wire.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "connectors/core/json_reader.h"
#include "connectors/core/json_writer.h"
#include "connectors/http/failure.h"

namespace loyalty::connectors::artix {
namespace {

using nlohmann::json;
using namespace json_reader;  // NOLINT: the parser reads nothing else

constexpr int kMoneyScale = 2;     // rubles -> kopecks
constexpr int kPointsScale = 2;    // points -> centipoints
constexpr int kQuantityScale = 3;  // units or kilograms -> thousandths

const json& Array(const json& object, const char* name) {
  static const json kEmpty = json::array();
  if (!object.contains(name) || object.at(name).is_null()) return kEmpty;
  const json& value = object.at(name);
  if (!value.is_array()) throw BadField{absl::StrCat(name, ": expected an array")};
  return value;
}

int64_t NonNegative(const json& object, const char* name, int scale) {
  const int64_t units = OptionalUnits(object, name, scale);
  if (units < 0) throw BadField{absl::StrCat(name, " negative")};
  return units;
}

PositionResult ReadPosition(const json& position) {
  PositionResult p;
  p.posnum = static_cast<int32_t>(Integer(Field(position, "posnum"), "posnum"));
  p.sum_without_discounts_minor = NonNegative(position, "sumWithoutDiscounts", kMoneyScale);
  p.sum_minor = NonNegative(position, "sum", kMoneyScale);
  int64_t discounted = 0;
  for (const json& d : Array(position, "discounts")) {
    PositionDiscount discount;
    discount.campaign_code = Integer(Field(d, "campaigncode"), "campaigncode");
    discount.campaign_name = OptionalText(d, "campaignname");
    discount.coupon_number = OptionalText(d, "couponnumber");
    discount.amount_minor = NonNegative(d, "discountsum", kMoneyScale);
    discounted += discount.amount_minor;
    if (discount.amount_minor > 0) p.discounts.push_back(std::move(discount));
  }
  if (discounted > p.sum_without_discounts_minor) {
    throw BadField{absl::StrCat("position ", p.posnum, ": discounts ", discounted,
                                " above the price ", p.sum_without_discounts_minor)};
  }
  // Each double rounds to the kopeck on its own (weighed goods give sums
  // like 29.9367): half a kopeck of slack per rounded value.
  const int64_t slack = (static_cast<int64_t>(p.discounts.size()) + 2) / 2;
  if (std::llabs(p.sum_minor - (p.sum_without_discounts_minor - discounted)) > slack) {
    throw BadField{absl::StrCat("position ", p.posnum, ": sum ", p.sum_minor,
                                " is not the price less the discounts")};
  }
  for (const json& bonus : Array(position, "earnedbonuses")) {
    p.earned_centipoints += NonNegative(bonus, "amount", kPointsScale);
  }
  return p;
}

}  // namespace

std::string CalculateDiscountBody(const CheckRequest& request) {
  JsonWriter writer;
  writer.BeginObject()
      .Key("cashCode")
      .String(request.cash_code)
      .Key("shopCode")
      .String(request.shop_code)
      .Key("shopLabels")
      .BeginArray();
  for (const auto& label : request.shop_labels) {
    writer.BeginObject().Key("id").String(label).EndObject();
  }
  writer.EndArray().Key("identifier").String(request.identifier).Key("positions").BeginArray();
  for (const Line& line : request.lines) {
    writer.BeginObject()
        .Key("posnum")
        .Int(line.line_no)
        .Key("barcode")
        .String(line.barcode.empty() ? line.sku : line.barcode)
        .Key("minprice")
        .Decimal(line.min_unit_price_minor, kMoneyScale)
        .Key("price")
        .Decimal(line.unit_price_minor, kMoneyScale)
        .Key("quant")
        .Decimal(line.quantity_milli, kQuantityScale)
        .EndObject();
  }
  writer.EndArray().Key("cards").BeginArray();
  for (const auto& card : request.cards) {
    writer.BeginObject().Key("number").String(card).EndObject();
  }
  writer.EndArray().Key("coupons").BeginArray();
  for (const auto& coupon : request.coupons) {
    writer.BeginObject().Key("number").String(coupon).EndObject();
  }
  writer.EndArray().EndObject();
  return writer.str();
}

Outcome<CheckResult> ParseCalculateDiscount(int status, std::string_view body,
                                            const CheckRequest& request) {
  json parsed = ParseVendorJson(body);
  if (status != 200) {
    Failed failed = CalculationFailure(FailureFromStatus(kVendorName, status));
    if (parsed.is_object()) {
      for (const char* key : {"message", "error", "description"}) {
        if (parsed.contains(key) && parsed.at(key).is_string()) {
          absl::StrAppend(&failed.message, ": ", parsed.at(key).get<std::string>());
          break;
        }
      }
    }
    return failed;
  }
  if (parsed.is_discarded() || !parsed.is_object()) {
    return CalculationFailure(FailureFromUnreadable(kVendorName, "not a JSON object"));
  }
  try {
    CheckResult result;
    for (const json& c : Array(parsed, "cards")) {
      Card card;
      card.number = Text(Field(c, "number"));
      card.bonus_balance_centipoints = OptionalUnits(c, "bonusbalance", kPointsScale);
      card.card_group_id =
          c.contains("idcardgroup") ? Integer(c.at("idcardgroup"), "idcardgroup") : 0;
      card.card_group_name = OptionalText(c, "namecardgroup");
      result.cards.push_back(std::move(card));
    }
    int64_t sum = 0;
    for (const json& position : Array(parsed, "positions")) {
      result.positions.push_back(ReadPosition(position));
      sum += result.positions.back().sum_minor;
    }
    for (const Line& line : request.lines) {
      bool answered = false;
      for (const auto& p : result.positions) answered = answered || p.posnum == line.line_no;
      if (!answered) throw BadField{absl::StrCat("position ", line.line_no, " missing")};
    }
    result.points_for_earn_centipoints = NonNegative(parsed, "pointsForEarn", kPointsScale);
    result.points_for_spend_centipoints = NonNegative(parsed, "pointsForSpend", kPointsScale);
    result.sum_minor = NonNegative(parsed, "sum", kMoneyScale);
    const auto positions = static_cast<int64_t>(result.positions.size());
    if (!request.lines.empty() && std::llabs(result.sum_minor - sum) > (positions + 1) / 2) {
      throw BadField{
          absl::StrCat("sum ", result.sum_minor, " is not the sum of the positions ", sum)};
    }
    return result;
  } catch (const BadField& bad) {
    return CalculationFailure(FailureFromUnreadable(kVendorName, bad.what));
  } catch (const json::exception& e) {
    return CalculationFailure(FailureFromUnreadable(kVendorName, e.what()));
  }
}

Failed CalculationFailure(Failed failed) {
  failed.retryable = true;
  failed.maybe_applied = false;
  return failed;
}

}  // namespace loyalty::connectors::artix
