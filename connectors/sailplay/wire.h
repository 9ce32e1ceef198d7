#pragma once

// SailPlay purchases API (v1/v2): query parameters and answer parsing, apart
// from HTTP plumbing so both are tested against the document's own JSON.
// Every call is a GET with its parameters in the URL; the cart travels as a
// JSON object keyed by position. Money is rubles as decimal strings or
// numbers; points are numbers. Both are converted here, exactly, to minor
// units and centipoints, and nowhere else.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/core/outcome.h"
#include "connectors/core/types.h"
#include "connectors/http/query.h"

namespace loyalty::connectors::sailplay {

inline constexpr std::string_view kVendorName = "SailPlay";

// status_code values of the error envelope. -3001 and -3003 are the
// document's; the others are the vendor's codes as its simulator answers
// them (see connectors/README.md).
inline constexpr int kDeleteRefused = -3001;     // points of the purchase already spent
inline constexpr int kDuplicateOrder = -3002;    // order_num already used in the department
inline constexpr int kEditRefused = -3003;       // purchase cannot move to that user
inline constexpr int kRestoreRefused = -3004;    // points to spend again are gone
inline constexpr int kPurchaseNotFound = -3005;  // no purchase with that order_num
inline constexpr int kNotEnoughPoints = -3006;   // discount_points above the confirmed balance
inline constexpr int kCartNotFound = -3007;      // cart_id unknown or used
inline constexpr int kMissingParameter = -1001;  // a required parameter is absent or malformed
inline constexpr int kTokenRefused = -200001;    // token unknown or revoked: log in again
inline constexpr int kUserNotFound = -200007;    // no such user

// One position of the cart object. `price` is the position's total, not the
// unit price.
struct CartPosition {
  int32_t num = 0;
  std::string sku;
  int64_t price_minor = 0;
  int64_t quantity_milli = 0;
  int64_t discount_points = 0;  // whole points written off against this position
  int64_t min_price_minor = 0;
};

struct CalcPosition {
  int32_t num = 0;
  int64_t price_minor = 0;
  int64_t new_price_minor = 0;
  int64_t points_centipoints = 0;
  int64_t discount_points_max_centipoints = 0;
  std::vector<std::string> actions;  // aliases of the marketing actions applied
};

struct Calc {
  std::string cart_id;
  std::vector<CalcPosition> positions;
  int64_t total_price_minor = 0;
  int64_t total_points_centipoints = 0;
  int64_t discount_points_max_for_user_centipoints = 0;
  // alias -> client message of the actions applied.
  std::vector<std::pair<std::string, std::string>> actions_applied;
  // cart.text_blocks[].value: text the vendor asks to print on the receipt.
  std::vector<std::string> receipt_texts;
};

struct Purchase {
  std::string id;
  std::string order_num;
  bool is_completed = false;
  int64_t points_delta_centipoints = 0;
  int64_t price_minor = 0;
  std::string user_id;
  // Sum of the cart positions' discount_points, when the answer lists them
  // (the document's purchases/new answer does not always).
  std::optional<int64_t> discount_centipoints;
};

struct Deleted {
  std::string id;
  std::string order_num;
};

struct Rebound {
  std::string id;
  std::string order_num;
  std::string user_id;
};

// The parameter naming a customer: user_phone, email or origin_user_id.
// Empty for identifiers SailPlay does not know (cards, app codes).
std::optional<std::pair<std::string, std::string>> UserParam(const CustomerRef& customer);

// The cart object: {"1":{"sku":..,"price":..,"quantity":..,"discount_points":..,"min_price":..}}.
std::string CartJson(const std::vector<CartPosition>& positions);
// promocodes=["a","b"].
std::string PromocodesJson(const std::vector<std::string>& codes);

// One parser per answer shape. Each takes the HTTP status and body and returns
// the vendor's answer, its refusal (status "error", status_code, message), or
// a failure. A refused token comes back as Declined{kMisconfigured, "token"}
// (the API client logs in again before a parser sees it).
Outcome<std::string> ParseLogin(int status, std::string_view body);
Outcome<Account> ParseUserInfo(int status, std::string_view body);
Outcome<Calc> ParseCalc(int status, std::string_view body);
// purchases/new, get, confirm, restore and edit v2 answer one shape.
Outcome<Purchase> ParsePurchase(int status, std::string_view body);
Outcome<Deleted> ParseDelete(int status, std::string_view body);
Outcome<Rebound> ParseEditUser(int status, std::string_view body);

// True when `body` is the refusal that means "log in again".
bool IsTokenRefusal(std::string_view body);

// The broker's model in the document's shapes, and back.

// The document counts whole points; the broker hundredths.
inline constexpr int64_t kCentipointsPerPoint = 100;

// Positions keyed by the broker's line numbers; SKU, or barcode without one.
std::vector<CartPosition> CartFrom(const std::vector<Line>& lines);
// Spreads whole points over the positions in order, each up to the limit the
// vendor's calculation gave it. False when they do not fit.
bool SpreadPoints(int64_t points, const Calc& calc, std::vector<CartPosition>& cart);
// The calculation's discounts per line, explanation and texts; the points
// are the connector's to fill (they depend on the customer).
QuoteResult QuoteFrom(const Calc& calc);
PurchaseState StateOf(const Purchase& purchase);

}  // namespace loyalty::connectors::sailplay
