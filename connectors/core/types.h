#pragma once

// Vendor-neutral requests and results that every connector speaks.
// Units: money in minor units (`_minor`), points in hundredths
// (`_centipoints`), quantities in thousandths (`_milli`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loyalty::connectors {

struct CustomerRef {
  enum class Kind { kPhone, kCard, kAppCode, kEmail, kExternalId };
  Kind kind = Kind::kPhone;
  std::string value;
};

enum class LevelType { kUnknown, kCashback, kDiscount };

struct Level {
  std::string id;
  std::string title;
  LevelType type = LevelType::kUnknown;
  int64_t percent_bp = 0;            // hundredths of a percent
  int64_t max_spend_percent_bp = 0;  // hundredths of a percent
};

struct Account {
  std::string vendor_customer_id;
  std::string name;
  Level level;
  int64_t balance_centipoints = 0;
};

struct Line {
  int32_t line_no = 0;
  std::string sku;
  std::string barcode;
  int64_t quantity_milli = 0;
  int64_t unit_price_minor = 0;
  int64_t min_unit_price_minor = 0;
  // Derived by the broker: unit price x quantity, and the floor for the line.
  int64_t total_before_minor = 0;
  int64_t min_total_minor = 0;
  // Discount already granted by earlier programs; connectors price from
  // total_before_minor - discount_minor.
  int64_t discount_minor = 0;

  bool operator==(const Line&) const = default;
};

struct IdentifyRequest {
  CustomerRef customer;
};

struct QuoteRequest {
  std::optional<CustomerRef> customer;
  std::vector<Line> lines;
  std::vector<std::string> coupons;
};

struct LineDiscount {
  int32_t line_no = 0;
  int64_t amount_minor = 0;
  std::string campaign_name;  // as the vendor names the campaign or level
  std::string campaign_code;  // the vendor's code of it, where it has one
  std::string coupon;         // the coupon that unlocked it, where one did

  bool operator==(const LineDiscount&) const = default;
};

struct QuoteResult {
  // Set when the request named a customer the vendor knows.
  std::optional<Account> account;
  std::vector<LineDiscount> discounts;
  int64_t spendable_centipoints = 0;
  int64_t earn_centipoints = 0;
  // The vendor's handle on this calculation (e.g. a cart id), if any.
  std::string vendor_reference;
  std::string explanation;
  // The vendor's own words for the customer, and text to print on the
  // receipt, where it gives them (SailPlay client_msg, text_blocks).
  std::string customer_message;
  std::vector<std::string> receipt_texts;
};

struct HoldRequest {
  std::string vendor_customer_id;
  int64_t amount_centipoints = 0;
  int32_t ttl_seconds = 0;
};

struct HoldResult {
  int64_t amount_centipoints = 0;
  int64_t expires_at_unix = 0;
};

struct ReleaseRequest {
  std::string vendor_customer_id;
};

struct ReleaseResult {};

struct BookRequest {
  std::string order_number;
  std::string vendor_customer_id;
  std::optional<CustomerRef> customer;
  // Lines as the program priced them in the quote: discount_minor holds the
  // other programs' discounts; the program applies its own again.
  std::vector<Line> lines;
  std::vector<std::string> coupons;
  // Sum of the lines: the check less the other programs' discounts, before
  // points (the program applies its own discount itself).
  int64_t amount_minor = 0;
  int64_t spend_centipoints = 0;
  // What the quote got back from this vendor (e.g. a cart id).
  std::string quote_reference;
};

struct BookResult {
  std::string vendor_reference;
  int64_t spent_centipoints = 0;
  int64_t earned_centipoints = 0;
  // True where the vendor has nothing left to confirm.
  bool confirmed = false;
};

// Operations on a booked purchase, by the store's order number.
struct PurchaseRef {
  std::string order_number;
  std::string vendor_reference;
  std::optional<CustomerRef> new_customer;  // for reassign
};

struct PurchaseState {
  std::string vendor_reference;
  // Set when the purchase now belongs to another customer (reassign).
  std::string vendor_customer_id;
  bool confirmed = false;
  bool cancelled = false;
  int64_t earned_centipoints = 0;
};

}  // namespace loyalty::connectors
