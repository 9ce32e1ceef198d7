#include "simulators/sailplay/catalog.h"

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "connectors/core/decimal.h"
#include "simulators/kit/seed.h"

namespace loyalty::simulator::sailplay {
namespace {

using connectors::FormatDecimal;
using connectors::MulDivFloor;
using nlohmann::json;

constexpr char kDefaultCategory[] = "default";

// "1000.00": money as the vendor writes it.
std::string Money(int64_t minor) {
  std::string text = FormatDecimal(minor, 2);
  const auto dot = text.find('.');
  if (dot == std::string::npos) return text + ".00";
  if (text.size() - dot == 2) return text + "0";
  return text;
}

std::string Rate(int64_t rate_e4) {
  std::string text = FormatDecimal(rate_e4, 4);
  if (text.find('.') == std::string::npos) text += ".";
  while (text.size() - text.find('.') <= 4) text += "0";
  return text;
}

}  // namespace

Catalog::Catalog(const json& seed) {
  categories_[kDefaultCategory] = Category{196, SeedUnits(seed, "points_rate", 4)};
  for (const json& c : seed.value("categories", json::array())) {
    categories_[SeedText(c, "sku")] =
        Category{SeedUnits(c, "id", 0), SeedUnits(c, "points_rate", 4)};
  }
  for (const json& p : seed.value("products", json::array())) {
    Product product{SeedUnits(p, "id", 0), SeedOptionalText(p, "category"), -1};
    if (product.category.empty()) product.category = kDefaultCategory;
    if (!categories_.count(product.category)) {
      throw std::invalid_argument(absl::StrCat("seed: unknown category ", product.category));
    }
    if (p.contains("points_rate")) product.points_rate_e4 = SeedUnits(p, "points_rate", 4);
    products_[SeedText(p, "sku")] = product;
  }
  for (const json& a : seed.value("actions", json::array())) {
    actions_.push_back(Action{SeedText(a, "alias"), SeedText(a, "name"),
                              SeedOptionalText(a, "client_msg"), SeedOptionalText(a, "category"),
                              SeedOptionalText(a, "sku"), SeedOptionalText(a, "promocode"),
                              SeedUnits(a, "percent", 2), SeedOptionalText(a, "receipt_text")});
  }
  if (seed.contains("max_spend_percent")) max_spend_bp_ = SeedUnits(seed, "max_spend_percent", 2);
}

const Catalog::Product& Catalog::ProductFor(const std::string& sku) {
  auto it = products_.find(sku);
  if (it != products_.end()) return it->second;
  return products_[sku] = Product{next_product_id_++, kDefaultCategory, -1};
}

PricedCart Catalog::Price(const std::vector<CartLine>& cart,
                          const std::vector<std::string>& promocodes) {
  PricedCart priced;
  for (const CartLine& line : cart) {
    const Product& product = ProductFor(line.sku);
    PricedLine p;
    p.line = line;
    p.category = product.category;
    p.points_rate_e4 = product.points_rate_e4 >= 0
                           ? product.points_rate_e4
                           : categories_.at(product.category).points_rate_e4;
    int64_t price = line.price_minor;
    for (const Action& action : actions_) {
      if (!action.category.empty() && action.category != p.category) continue;
      if (!action.sku.empty() && action.sku != line.sku) continue;
      if (!action.promocode.empty() &&
          std::find(promocodes.begin(), promocodes.end(), action.promocode) == promocodes.end()) {
        continue;
      }
      const int64_t lowered =
          std::max(line.min_price_minor, price - MulDivFloor(price, action.percent_bp, 10000));
      if (lowered >= price) continue;
      price = lowered;
      p.actions.push_back(action.alias);
      if (std::find(priced.actions_applied.begin(), priced.actions_applied.end(), action.alias) ==
          priced.actions_applied.end()) {
        priced.actions_applied.push_back(action.alias);
      }
    }
    p.new_price_minor = price;
    // One point is one ruble; whole points only.
    p.discount_points_max =
        std::max<int64_t>(0, MulDivFloor(price - line.min_price_minor, max_spend_bp_, 10000) / 100);
    const int64_t paid_minor = std::max<int64_t>(0, price - line.discount_points * 100);
    p.points = MulDivFloor(paid_minor, p.points_rate_e4, 10000 * 100);
    priced.total_price_minor += price;
    priced.total_points += p.points;
    priced.discount_points += line.discount_points;
    priced.discount_points_max += p.discount_points_max;
    priced.lines.push_back(std::move(p));
  }
  return priced;
}

json Catalog::CartJson(const PricedCart& cart, int64_t id, int64_t points_for_user) const {
  json positions = json::array();
  for (const PricedLine& p : cart.lines) {
    const Product& product = products_.at(p.line.sku);
    positions.push_back({
        {"num", p.line.num},
        {"product", {{"sku", p.line.sku}, {"id", product.id}}},
        {"category", {{"sku", p.category}, {"id", categories_.at(p.category).id}}},
        {"price", Money(p.line.price_minor)},
        {"new_price", Money(p.new_price_minor)},
        {"min_price", Money(p.line.min_price_minor)},
        {"quantity", FormatDecimal(p.line.quantity_milli, 3)},
        {"points", p.points},
        {"points_rate", Rate(p.points_rate_e4)},
        {"discount_points", p.line.discount_points},
        {"discount_points_max", p.discount_points_max},
        {"marketing_actions", p.actions},
    });
  }
  return json{
      {"id", id},
      {"positions", positions},
      {"positions_count", cart.lines.size()},
      {"total_price", Money(cart.total_price_minor)},
      {"total_points", cart.total_points},
      {"total_discount_points_max", cart.discount_points_max},
      {"total_discount_points_max_for_user", std::min(cart.discount_points_max, points_for_user)},
      {"extra_points", json::object()},
      {"upsaled", json::array()},
      {"text_blocks", TextBlocks(cart)},
  };
}

// As the document's example: {"marketing_action": {...}, "value": "<text>"}.
json Catalog::TextBlocks(const PricedCart& cart) const {
  json blocks = json::array();
  for (const std::string& alias : cart.actions_applied) {
    for (const Action& action : actions_) {
      if (action.alias != alias || action.receipt_text.empty()) continue;
      blocks.push_back({{"marketing_action",
                         {{"name", action.name},
                          {"alias", action.alias},
                          {"client_msg", action.client_msg},
                          {"service_msg", nullptr}}},
                        {"value", action.receipt_text}});
    }
  }
  return blocks;
}

json Catalog::ActionsJson(const PricedCart& cart) const {
  json applied = json::array();
  for (const std::string& alias : cart.actions_applied) {
    for (const Action& action : actions_) {
      if (action.alias != alias) continue;
      applied.push_back({{"alias", action.alias},
                         {"name", action.name},
                         {"client_msg", action.client_msg},
                         {"service_msg", action.name}});
      break;
    }
  }
  return applied;
}

}  // namespace loyalty::simulator::sailplay
