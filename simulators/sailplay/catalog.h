#pragma once

// The SailPlay simulator's pricing: SKUs in categories with points rates,
// marketing actions that lower prices (by category or SKU, some only with a
// promo code), and the limit on points written off per position. Pure
// calculation: the same cart always gives the same answer.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace loyalty::simulator::sailplay {

struct CartLine {
  int32_t num = 0;
  std::string sku;
  int64_t price_minor = 0;  // the position's total
  int64_t quantity_milli = 0;
  int64_t discount_points = 0;
  int64_t min_price_minor = 0;
};

struct PricedLine {
  CartLine line;
  std::string category;
  int64_t new_price_minor = 0;
  int64_t points_rate_e4 = 0;  // points per ruble, in 1/10000
  int64_t points = 0;          // earned on new_price less the points written off
  int64_t discount_points_max = 0;
  std::vector<std::string> actions;
};

struct PricedCart {
  std::vector<PricedLine> lines;
  std::vector<std::string> actions_applied;  // aliases, in catalog order
  int64_t total_price_minor = 0;
  int64_t total_points = 0;
  int64_t discount_points = 0;
  int64_t discount_points_max = 0;
};

class Catalog {
 public:
  // From the seed's "categories", "products", "actions", "max_spend_percent".
  explicit Catalog(const nlohmann::json& seed);

  PricedCart Price(const std::vector<CartLine>& cart, const std::vector<std::string>& promocodes);

  // The document's cart object for a priced cart; `id` is the cart's id.
  nlohmann::json CartJson(const PricedCart& cart, int64_t id, int64_t points_for_user) const;
  nlohmann::json TextBlocks(const PricedCart& cart) const;
  // marketing_actions_applied entries.
  nlohmann::json ActionsJson(const PricedCart& cart) const;

 private:
  struct Action {
    std::string alias, name, client_msg;
    std::string category, sku, promocode;  // empty matches everything
    int64_t percent_bp = 0;
    // Printed on the receipt when the action applies: a cart text block.
    std::string receipt_text;
  };
  struct Category {
    int64_t id = 0;
    int64_t points_rate_e4 = 0;
  };
  struct Product {
    int64_t id = 0;
    std::string category;
    int64_t points_rate_e4 = -1;  // -1: the category's
  };

  // Unknown SKUs join the default category, as the vendor creates them.
  const Product& ProductFor(const std::string& sku);

  std::map<std::string, Category> categories_;
  std::map<std::string, Product> products_;
  std::vector<Action> actions_;
  int64_t max_spend_bp_ = 5000;
  int64_t next_product_id_ = 500;
};

}  // namespace loyalty::simulator::sailplay
