#include "simulators/artix/state.h"

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "connectors/core/decimal.h"
#include "simulators/kit/seed.h"

namespace loyalty::simulator::artix {
namespace {

using connectors::JsonToUnits;
using connectors::MulDivFloor;
using connectors::MulDivRound;
using nlohmann::json;

// The vendor writes money and points as doubles.
json Double(int64_t hundredths) { return json(static_cast<double>(hundredths) / 100.0); }

Reply BadRequest(const std::string& message) {
  return Reply{400, json{{"error", "Bad Request"}, {"message", message}}};
}

bool ReadUnits(const json& object, const char* name, int scale, bool required, int64_t& out) {
  if (!object.contains(name)) return !required;
  auto units = JsonToUnits(object.at(name), scale);
  if (!units.ok() || *units < 0) return false;
  out = *units;
  return true;
}

std::string NumberText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  return "";
}

// The "number" of each {"number": ...} object of an array member.
bool ReadNumbers(const json& request, const char* name, std::vector<std::string>& out) {
  if (!request.contains(name)) return true;
  if (!request.at(name).is_array()) return false;
  for (const json& item : request.at(name)) {
    if (!item.is_object() || !item.contains("number")) return false;
    std::string number = NumberText(item.at("number"));
    if (number.empty()) return false;
    out.push_back(number);
  }
  return true;
}

}  // namespace

ArtixState::ArtixState(const json& seed) {
  if (!seed.is_object()) throw std::invalid_argument("seed must be a JSON object");
  for (const json& p : seed.value("products", json::array())) {
    Product product{SeedText(p, "name"), SeedText(p, "code"), p.value("dept", 1),
                    p.value("measure", 1), p.value("measurename", std::string("шт"))};
    products_[SeedText(p, "barcode")] = product;
  }
  for (const json& g : seed.value("card_groups", json::array())) {
    CardGroup group{SeedUnits(g, "id", 0), SeedText(g, "name")};
    groups_[group.id] = group;
  }
  for (const json& c : seed.value("cards", json::array())) {
    Card card{SeedUnits(c, "group", 0), SeedUnits(c, "bonusbalance", 2), 0};
    if (!groups_.count(card.group)) throw std::invalid_argument("seed: card in an unknown group");
    cards_[SeedText(c, "number")] = card;
  }
  for (const json& c : seed.value("campaigns", json::array())) {
    Campaign campaign;
    campaign.code = SeedUnits(c, "code", 0);
    campaign.name = SeedText(c, "name");
    campaign.type = SeedText(c, "type");
    campaign.coupon = SeedOptionalText(c, "coupon");
    campaign.barcode = SeedOptionalText(c, "barcode");
    campaign.min_quant_milli = SeedUnits(c, "min_quant", 3);
    campaign.percent_bp = SeedUnits(c, "percent", 2);
    for (const json& g : c.value("card_groups", json::array())) {
      campaign.card_groups.push_back(g.get<int64_t>());
    }
    if (campaign.type != "coupon" && campaign.type != "quantity" && campaign.type != "bonus") {
      throw std::invalid_argument("seed: campaign type must be coupon, quantity or bonus");
    }
    campaigns_.push_back(campaign);
  }
  if (seed.contains("max_spend_percent")) max_spend_bp_ = SeedUnits(seed, "max_spend_percent", 2);
}

json ArtixState::PositionJson(const Position& pos, const std::vector<std::string>& coupons,
                              const std::vector<std::string>& cards, int64_t& sum_minor,
                              int64_t& room_minor, int64_t& earn_centipoints) {
  auto product_it = products_.find(pos.barcode);
  const Product unknown{"", "", 1, 1, "шт"};
  const Product& product = product_it == products_.end() ? unknown : product_it->second;
  const int64_t full = MulDivRound(pos.price_minor, pos.quant_milli, 1000);
  const int64_t floor = std::min(full, MulDivRound(pos.minprice_minor, pos.quant_milli, 1000));
  int64_t sum = full;
  json discounts = json::array();
  for (const Campaign& c : campaigns_) {
    const bool applies = (c.type == "coupon" &&
                          std::find(coupons.begin(), coupons.end(), c.coupon) != coupons.end()) ||
                         (c.type == "quantity" && (c.barcode.empty() || c.barcode == pos.barcode) &&
                          pos.quant_milli >= c.min_quant_milli);
    if (!applies) continue;
    const int64_t amount = std::min(MulDivFloor(full, c.percent_bp, 10000), sum - floor);
    if (amount <= 0) continue;  // never below the minimum price
    sum -= amount;
    json d = {{"campaigncode", c.code},
              {"campaignname", c.name},
              {"discountcode", 1},
              {"discountmode", c.type == "coupon" ? 2 : 1},
              {"discountname", c.name},
              {"discountrate", Double(c.percent_bp)},
              {"discountsum", Double(amount)},
              {"discounttype", 2},
              {"ispositiondiscount", 0},
              {"minpriceignored", false},
              {"posnum", pos.posnum}};
    if (c.type == "coupon") d["couponnumber"] = c.coupon;
    discounts.push_back(d);
  }
  json earned = json::array();
  for (const std::string& number : cards) {
    auto card = cards_.find(number);
    if (card == cards_.end()) continue;
    for (const Campaign& c : campaigns_) {
      if (c.type != "bonus") continue;
      if (!c.card_groups.empty() && std::find(c.card_groups.begin(), c.card_groups.end(),
                                              card->second.group) == c.card_groups.end()) {
        continue;
      }
      const int64_t amount = MulDivFloor(sum, c.percent_bp, 10000);  // 1 point per ruble
      if (amount <= 0) continue;
      earn_centipoints += amount;
      earned.push_back({{"amount", Double(amount)},
                        {"assettimebeg", ""},
                        {"assettimeend", ""},
                        {"campaigncode", c.code},
                        {"campaignname", c.name},
                        {"cardnumber", number},
                        {"ispositionbonus", 0},
                        {"weight", 0}});
    }
  }
  sum_minor += sum;
  room_minor += sum - floor;
  return json{
      {"barcode", pos.barcode},
      {"code", product.code},
      {"dept", product.dept},
      {"discounts", discounts},
      {"earnedbonuses", earned},
      {"isallowbonusspend", true},
      {"measure", product.measure},
      {"measurename", product.measure_name},
      {"minprice", Double(pos.minprice_minor)},
      {"name", product.name},
      {"paymentmethod", 0},
      {"paymentobject", 0},
      {"posnum", pos.posnum},
      {"price", Double(pos.price_minor)},
      {"quant", json(static_cast<double>(pos.quant_milli) / 1000.0)},
      {"sum", Double(sum)},
      {"sumWithoutDiscounts", Double(full)},
      {"taramode", 0},
      {"tmc", {{"minprice", Double(pos.minprice_minor)}, {"price", Double(pos.price_minor)}}},
      {"vatcode", -1},
      {"vatrate", 0.0},
      {"vatsum", 0.0}};
}

Reply ArtixState::CalculateDiscount(const json& request) {
  if (!request.is_object()) return BadRequest("the body must be a JSON object");
  if (!request.contains("identifier") || NumberText(request.at("identifier")).empty()) {
    return BadRequest("identifier is required");
  }
  if (!request.contains("positions") || !request.at("positions").is_array()) {
    return BadRequest("positions is required");
  }
  std::vector<Position> positions;
  for (const json& p : request.at("positions")) {
    Position pos;
    if (!p.is_object() || !p.contains("posnum") || !p.at("posnum").is_number_integer()) {
      return BadRequest("positions[].posnum is required");
    }
    pos.posnum = p.at("posnum").get<int64_t>();
    pos.barcode = p.contains("barcode") ? NumberText(p.at("barcode")) : "";
    if (pos.barcode.empty()) return BadRequest("positions[].barcode is required");
    if (!ReadUnits(p, "quant", 3, true, pos.quant_milli) || pos.quant_milli == 0) {
      return BadRequest("positions[].quant must be a positive number");
    }
    if (!ReadUnits(p, "price", 2, false, pos.price_minor) ||
        !ReadUnits(p, "minprice", 2, false, pos.minprice_minor)) {
      return BadRequest("positions[].price and minprice must be non-negative numbers");
    }
    positions.push_back(pos);
  }
  std::vector<std::string> cards, coupons;
  if (!ReadNumbers(request, "cards", cards) || !ReadNumbers(request, "coupons", coupons)) {
    return BadRequest("cards and coupons are arrays of {\"number\": ...}");
  }

  absl::MutexLock lock(&mutex_);
  int64_t sum = 0, room = 0, earn = 0;
  json answered_positions = json::array();
  for (const Position& pos : positions) {
    answered_positions.push_back(PositionJson(pos, coupons, cards, sum, room, earn));
  }
  json answered_cards = json::array();
  int64_t spend = 0;
  for (const std::string& number : cards) {
    auto card = cards_.find(number);
    if (card == cards_.end()) continue;  // unknown cards are left out of the answer
    ++card->second.calculations;
    answered_cards.push_back({{"bonusbalance", Double(card->second.balance_centipoints)},
                              {"cardmode", 1},
                              {"idcardgroup", card->second.group},
                              {"namecardgroup", groups_.at(card->second.group).name},
                              {"number", number}});
    spend = std::max(
        spend, std::min(card->second.balance_centipoints, MulDivFloor(room, max_spend_bp_, 10000)));
  }
  if (answered_cards.empty()) earn = 0;
  json answered_coupons = json::array();
  for (const std::string& coupon : coupons) {
    bool known = false;
    for (const Campaign& c : campaigns_)
      known = known || (c.type == "coupon" && c.coupon == coupon);
    if (known) answered_coupons.push_back({{"number", coupon}, {"type", 1}});
  }
  return Reply{200, json{{"cards", answered_cards},
                         {"coupons", answered_coupons},
                         {"identifier", request.at("identifier")},
                         {"pointsForEarn", Double(earn)},
                         {"pointsForSpend", Double(spend)},
                         {"positions", answered_positions},
                         {"sum", Double(sum)}}};
}

json ArtixState::DescribeCard(const std::string& number) {
  absl::MutexLock lock(&mutex_);
  auto card = cards_.find(number);
  if (card == cards_.end()) return nullptr;
  return json{{"number", number},
              {"group", card->second.group},
              {"bonusbalance_centipoints", card->second.balance_centipoints},
              {"calculations", card->second.calculations}};
}

}  // namespace loyalty::simulator::artix
