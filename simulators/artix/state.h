#pragma once

// The Artix VirtualPOS simulator's rules, apart from HTTP: products by
// barcode with prices and minimum prices, cards in groups with bonus
// balances, and campaigns: a coupon discount, a quantity discount, and a
// bonus-earning campaign for card holders. Discounts never take a position
// below its minimum price. Answers in the document's shapes.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "simulators/kit/reply.h"

namespace loyalty::simulator::artix {

class ArtixState {
 public:
  // Seeds from the data file's JSON (see data/artix-seed.json). Throws
  // std::invalid_argument on a malformed seed.
  explicit ArtixState(const nlohmann::json& seed);

  // POST /calculatediscount with the parsed body.
  Reply CalculateDiscount(const nlohmann::json& request);

  // Test view: a card's group and balance, and how many checks named it.
  nlohmann::json DescribeCard(const std::string& number);

 private:
  struct Product {
    std::string name, code;
    int64_t dept = 1, measure = 1;  // 1: pieces, 2: kilograms
    std::string measure_name = "шт";
  };
  struct CardGroup {
    int64_t id = 0;
    std::string name;
  };
  struct Card {
    int64_t group = 0;
    int64_t balance_centipoints = 0;
    int64_t calculations = 0;
  };
  struct Campaign {
    int64_t code = 0;
    std::string name, type;  // "coupon", "quantity", "bonus"
    std::string coupon;      // coupon: the coupon number
    std::string barcode;     // quantity: the product; empty = any
    int64_t min_quant_milli = 0;
    int64_t percent_bp = 0;
    std::vector<int64_t> card_groups;  // bonus: groups that earn; empty = all
  };
  struct Position {
    int64_t posnum = 0;
    std::string barcode;
    int64_t price_minor = 0, minprice_minor = 0, quant_milli = 0;
  };

  nlohmann::json PositionJson(const Position& position, const std::vector<std::string>& coupons,
                              const std::vector<std::string>& cards, int64_t& sum_minor,
                              int64_t& room_minor, int64_t& earn_centipoints)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  absl::Mutex mutex_;
  std::map<std::string, Product> products_ ABSL_GUARDED_BY(mutex_);
  std::map<int64_t, CardGroup> groups_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, Card> cards_ ABSL_GUARDED_BY(mutex_);
  std::vector<Campaign> campaigns_ ABSL_GUARDED_BY(mutex_);
  int64_t max_spend_bp_ = 5000;
};

}  // namespace loyalty::simulator::artix
