#include "simulators/sailplay/state.h"

#include <random>
#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "connectors/core/decimal.h"
#include "simulators/kit/seed.h"

namespace loyalty::simulator::sailplay {
namespace {

using connectors::FormatDecimal;
using connectors::JsonToUnits;
using nlohmann::json;

// Codes as connectors/sailplay/wire.h names them.
constexpr int kDeleteRefused = -3001;
constexpr int kDuplicateOrder = -3002;
constexpr int kEditRefused = -3003;
constexpr int kRestoreRefused = -3004;
constexpr int kPurchaseNotFound = -3005;
constexpr int kNotEnoughPoints = -3006;
constexpr int kCartNotFound = -3007;
constexpr int kMissingParameter = -1001;
constexpr int kTokenRefused = -200001;
constexpr int kUserNotFound = -200007;

Reply Error(int code, const std::string& message) {
  return Reply{200, json{{"status", "error"}, {"status_code", code}, {"message", message}}};
}

Reply Missing(const char* name) {
  return Error(kMissingParameter, absl::StrCat("Parameter ", name, " is required"));
}

const std::string* Param(const Params& params, const char* name) {
  auto it = params.find(name);
  return it == params.end() || it->second.empty() ? nullptr : &it->second;
}

std::string Now() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S", absl::Now(), absl::UTCTimeZone());
}

std::string RandomHex(int chars) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::string out;
  while (static_cast<int>(out.size()) < chars) out += absl::StrFormat("%016x", random());
  return out.substr(0, chars);
}

// One position of the cart object; false with `why` on a malformed one.
bool ReadCartLine(const std::string& key, const json& value, CartLine& line, std::string& why) {
  if (!absl::SimpleAtoi(key, &line.num) || !value.is_object()) {
    why = absl::StrCat("position ", key, " must be an object keyed by its number");
    return false;
  }
  if (!value.contains("sku") || !(value["sku"].is_string() || value["sku"].is_number_integer())) {
    why = absl::StrCat("position ", key, ": sku is required");
    return false;
  }
  line.sku = value["sku"].is_string() ? value["sku"].get<std::string>() : value["sku"].dump();
  auto units = [&](const char* name, int scale, bool required, int64_t& out) {
    if (!value.contains(name)) {
      if (required) why = absl::StrCat("position ", key, ": ", name, " is required");
      return !required;
    }
    auto parsed = JsonToUnits(value[name], scale);
    if (!parsed.ok() || *parsed < 0) {
      why = absl::StrCat("position ", key, ": ", name, " must be a non-negative number");
      return false;
    }
    out = *parsed;
    return true;
  };
  line.quantity_milli = 1000;
  return units("price", 2, true, line.price_minor) &&
         units("quantity", 3, false, line.quantity_milli) &&
         units("discount_points", 0, false, line.discount_points) &&
         units("min_price", 2, false, line.min_price_minor);
}

std::vector<std::string> Promocodes(const Params& params) {
  std::vector<std::string> codes;
  const std::string* text = Param(params, "promocodes");
  if (text == nullptr) return codes;
  json parsed = json::parse(*text, nullptr, false);
  if (parsed.is_array()) {
    for (const json& code : parsed) {
      if (code.is_string()) codes.push_back(code.get<std::string>());
    }
  }
  return codes;
}

}  // namespace

SailPlayState::SailPlayState(const json& seed) : catalog_(seed) {
  if (!seed.is_object()) throw std::invalid_argument("seed must be a JSON object");
  for (const json& d : seed.value("departments", json::array())) {
    Department department{SeedUnits(d, "id", 0), SeedText(d, "key"), SeedText(d, "pin_code"),
                          d.value("confirm_required", true)};
    departments_[department.id] = department;
  }
  for (const json& u : seed.value("users", json::array())) {
    User user;
    user.id = SeedUnits(u, "id", 0);
    user.phone = SeedOptionalText(u, "phone");
    user.email = SeedOptionalText(u, "email");
    user.origin_user_id = SeedOptionalText(u, "origin_user_id");
    user.first_name = SeedOptionalText(u, "first_name");
    user.last_name = SeedOptionalText(u, "last_name");
    if (u.contains("points")) {
      user.confirmed = SeedUnits(u["points"], "confirmed", 0);
      user.unconfirmed = SeedUnits(u["points"], "unconfirmed", 0);
      user.spent = SeedUnits(u["points"], "spent", 0);
    }
    users_[user.id] = user;
  }
  if (departments_.empty()) throw std::invalid_argument("seed: no departments");
}

Reply SailPlayState::Login(const Params& params) {
  absl::MutexLock lock(&mutex_);
  const std::string* id = Param(params, "store_department_id");
  const std::string* key = Param(params, "store_department_key");
  const std::string* pin = Param(params, "pin_code");
  int64_t department_id = 0;
  if (id != nullptr && key != nullptr && pin != nullptr && absl::SimpleAtoi(*id, &department_id)) {
    auto it = departments_.find(department_id);
    if (it != departments_.end() && it->second.key == *key && it->second.pin_code == *pin) {
      std::string token = RandomHex(40);
      tokens_[token] = department_id;
      return Reply{200, json{{"status", "ok"}, {"token", token}}};
    }
  }
  return Reply{200, json{{"status", "error"},
                         {"message",
                          "Data not found with provided store_department_key, "
                          "store_department_id and pin_code"}}};
}

std::optional<Reply> SailPlayState::CheckSession(const Params& params, Department** department) {
  const std::string* token = Param(params, "token");
  const std::string* id = Param(params, "store_department_id");
  int64_t department_id = 0;
  if (token == nullptr) return Missing("token");
  if (id == nullptr || !absl::SimpleAtoi(*id, &department_id)) {
    return Missing("store_department_id");
  }
  auto it = tokens_.find(*token);
  if (it == tokens_.end() || it->second != department_id) {
    return Error(kTokenRefused, "Invalid token");
  }
  *department = &departments_.at(department_id);
  return std::nullopt;
}

SailPlayState::User* SailPlayState::FindUser(const Params& params, bool create, bool& named) {
  const std::string* phone = Param(params, "user_phone");
  const std::string* email = Param(params, "email");
  const std::string* origin = Param(params, "origin_user_id");
  named = phone != nullptr || email != nullptr || origin != nullptr;
  if (!named) return nullptr;
  for (auto& [id, user] : users_) {
    if ((phone != nullptr && user.phone == *phone) || (email != nullptr && user.email == *email) ||
        (origin != nullptr && user.origin_user_id == *origin)) {
      return &user;
    }
  }
  if (!create) return nullptr;
  User user;
  user.id = next_user_id_++;
  if (phone != nullptr) user.phone = *phone;
  if (email != nullptr) user.email = *email;
  if (origin != nullptr) user.origin_user_id = *origin;
  return &(users_[user.id] = user);
}

SailPlayState::Purchase* SailPlayState::FindPurchase(int64_t department, const Params& params) {
  const std::string* order = Param(params, "order_num");
  const std::string* id_text = Param(params, "purchase_id");
  int64_t id = 0;
  if (id_text != nullptr && absl::SimpleAtoi(*id_text, &id)) {  // purchase_id wins
    auto it = purchases_.find(id);
    return it != purchases_.end() && it->second.department == department ? &it->second : nullptr;
  }
  if (order == nullptr) return nullptr;
  for (auto& [pid, purchase] : purchases_) {
    if (purchase.department == department && purchase.order_num == *order) return &purchase;
  }
  return nullptr;
}

std::optional<PricedCart> SailPlayState::CartOf(const Params& params, int64_t department,
                                                int64_t& cart_id, Reply& error) {
  const std::string* cart_text = Param(params, "cart");
  const std::string* cart_id_text = Param(params, "cart_id");
  if (cart_text == nullptr && cart_id_text != nullptr) {
    auto it = absl::SimpleAtoi(*cart_id_text, &cart_id) ? carts_.find(cart_id) : carts_.end();
    if (it == carts_.end() || it->second.department != department || it->second.used) {
      error = Error(kCartNotFound, "Cart not found");
      return std::nullopt;
    }
    it->second.used = true;
    return it->second.cart;
  }
  if (cart_text == nullptr) {
    error = Missing("cart");
    return std::nullopt;
  }
  json cart = json::parse(*cart_text, nullptr, false);
  if (!cart.is_object() || cart.empty()) {
    error = Error(kMissingParameter, "cart must be a non-empty JSON object");
    return std::nullopt;
  }
  std::vector<CartLine> lines;
  for (const auto& [key, value] : cart.items()) {
    CartLine line;
    std::string why;
    if (!ReadCartLine(key, value, line, why)) {
      error = Error(kMissingParameter, absl::StrCat("cart: ", why));
      return std::nullopt;
    }
    lines.push_back(line);
  }
  PricedCart priced = catalog_.Price(lines, Promocodes(params));
  for (const PricedLine& p : priced.lines) {
    if (p.line.discount_points > p.discount_points_max) {
      error = Error(kNotEnoughPoints, absl::StrCat("Position ", p.line.num, ": at most ",
                                                   p.discount_points_max, " points"));
      return std::nullopt;
    }
  }
  cart_id = next_cart_id_++;
  return priced;
}

void SailPlayState::Book(Purchase& purchase, int sign) {
  if (purchase.user_id == 0) return;
  User& user = users_.at(purchase.user_id);
  const int64_t earned = sign * purchase.cart.total_points;
  const int64_t spent = sign * purchase.cart.discount_points;
  (purchase.completed ? user.confirmed : user.unconfirmed) += earned;
  user.confirmed -= spent;
  user.spent += spent;
}

bool SailPlayState::CanTakeBack(const Purchase& purchase) {
  if (purchase.user_id == 0 || !purchase.completed) return true;
  const User& user = users_.at(purchase.user_id);
  return user.confirmed + purchase.cart.discount_points >= purchase.cart.total_points;
}

json SailPlayState::UserJson(const User& user) const {
  return json{{"id", user.id},
              {"phone", user.phone},
              {"email", user.email},
              {"origin_user_id", user.origin_user_id},
              {"first_name", user.first_name},
              {"last_name", user.last_name},
              {"points",
               {{"confirmed", user.confirmed},
                {"unconfirmed", user.unconfirmed},
                {"spent", user.spent},
                {"total", user.confirmed + user.unconfirmed}}}};
}

json SailPlayState::PurchaseJson(const Purchase& p) const {
  return json{{"id", p.id},
              {"order_num", p.order_num},
              {"store_department_id", p.department},
              {"is_completed", p.completed},
              {"completed_date", p.completed ? json(p.completed_date) : json(nullptr)},
              {"points_delta", p.cart.total_points},
              {"public_key", p.public_key},
              {"user_id", p.user_id == 0 ? json(nullptr) : json(p.user_id)},
              {"purchase_date", p.purchase_date},
              {"clerk_pin", p.clerk_pin},
              {"price", FormatDecimal(p.cart.total_price_minor, 2)}};
}

Reply SailPlayState::PurchaseReply(const Purchase& p) {
  const int64_t points = p.user_id == 0 ? 0 : users_.at(p.user_id).confirmed;
  return Reply{200, json{{"status", "ok"},
                         {"purchase", PurchaseJson(p)},
                         {"cart",
                          {{"marketing_actions_applied", catalog_.ActionsJson(p.cart)},
                           {"possible_marketing_actions", json::array()},
                           {"cart", catalog_.CartJson(p.cart, p.cart_id, points)}}}}};
}

SailPlayState::Purchase* SailPlayState::SessionPurchase(const Params& params, bool include_deleted,
                                                        Reply& error) {
  Department* department = nullptr;
  if (auto refused = CheckSession(params, &department)) {
    error = *refused;
    return nullptr;
  }
  Purchase* purchase = FindPurchase(department->id, params);
  if (purchase == nullptr || (purchase->deleted && !include_deleted)) {
    error = Error(kPurchaseNotFound, "Purchase not found");
    return nullptr;
  }
  return purchase;
}

Reply SailPlayState::UserInfo(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Department* department = nullptr;
  if (auto refused = CheckSession(params, &department)) return *refused;
  bool named = false;
  User* user = FindUser(params, /*create=*/false, named);
  if (!named) return Missing("user_phone or email or origin_user_id");
  if (user == nullptr) return Error(kUserNotFound, "User not found");
  json answer = UserJson(*user);
  answer["status"] = "ok";
  return Reply{200, answer};
}

Reply SailPlayState::Calc(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Department* department = nullptr;
  if (auto refused = CheckSession(params, &department)) return *refused;
  bool named = false;
  User* user = FindUser(params, /*create=*/false, named);
  if (named && user == nullptr) return Error(kUserNotFound, "User not found");
  Reply error;
  int64_t cart_id = 0;
  if (Param(params, "cart") == nullptr) return Missing("cart");
  auto cart = CartOf(params, department->id, cart_id, error);
  if (!cart) return error;
  carts_[cart_id] = StoredCart{department->id, *cart, false};
  return Reply{200, json{{"status", "ok"},
                         {"marketing_actions_applied", catalog_.ActionsJson(*cart)},
                         {"possible_marketing_actions", json::array()},
                         {"cart", catalog_.CartJson(*cart, cart_id, user ? user->confirmed : 0)}}};
}

Reply SailPlayState::NewPurchase(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Department* department = nullptr;
  if (auto refused = CheckSession(params, &department)) return *refused;
  const std::string* pin = Param(params, "pin_code");
  if (pin == nullptr) return Missing("pin_code");
  if (*pin != department->pin_code) return Error(kTokenRefused, "Invalid pin_code");
  const std::string* order = Param(params, "order_num");
  if (order == nullptr) return Missing("order_num");
  Params by_order{{"order_num", *order}};
  if (FindPurchase(department->id, by_order) != nullptr) {
    return Error(kDuplicateOrder, "Purchase with this order_num already exists");
  }
  bool named = false;
  User* user = FindUser(params, /*create=*/true, named);
  Reply error;
  int64_t cart_id = 0;
  auto cart = CartOf(params, department->id, cart_id, error);
  if (!cart) return error;
  // Only confirmed points can be spent.
  const int64_t available = user == nullptr ? 0 : user->confirmed;
  if (cart->discount_points > available) {
    return Error(kNotEnoughPoints, absl::StrCat("Not enough points: ", available, " available"));
  }
  Purchase purchase;
  purchase.id = next_purchase_id_++;
  purchase.department = department->id;
  purchase.order_num = *order;
  purchase.public_key = RandomHex(40);
  purchase.purchase_date = Now();
  purchase.clerk_pin = *pin;
  purchase.user_id = user == nullptr ? 0 : user->id;
  purchase.cart_id = cart_id;
  purchase.cart = *cart;
  const std::string* force = Param(params, "force_complete");
  purchase.completed = !department->confirm_required || (force != nullptr && *force == "1");
  if (purchase.completed) purchase.completed_date = purchase.purchase_date;
  Book(purchase, +1);
  ++created_by_order_[*order];
  Purchase& stored = purchases_[purchase.id] = purchase;
  return PurchaseReply(stored);
}

Reply SailPlayState::Confirm(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Reply error;
  Purchase* purchase = SessionPurchase(params, /*include_deleted=*/false, error);
  if (purchase == nullptr) return error;
  if (!purchase->completed) {
    Book(*purchase, -1);  // out of unconfirmed...
    purchase->completed = true;
    purchase->completed_date = Now();
    Book(*purchase, +1);  // ...into confirmed
  }
  return PurchaseReply(*purchase);
}

Reply SailPlayState::Delete(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Reply error;
  Purchase* purchase = SessionPurchase(params, /*include_deleted=*/false, error);
  if (purchase == nullptr) return error;
  // Taking back points the user has spent since would leave them negative.
  if (!CanTakeBack(*purchase)) return Error(kDeleteRefused, "Impossible to delete purchase");
  Book(*purchase, -1);
  purchase->deleted = true;
  return Reply{200,
               json{{"status", "ok"}, {"id", purchase->id}, {"order_num", purchase->order_num}}};
}

Reply SailPlayState::Restore(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Reply error;
  Purchase* purchase = SessionPurchase(params, /*include_deleted=*/true, error);
  if (purchase == nullptr) return error;
  if (purchase->deleted) {
    if (purchase->user_id != 0 &&
        users_.at(purchase->user_id).confirmed < purchase->cart.discount_points) {
      return Error(kRestoreRefused, "Impossible to restore purchase: not enough points");
    }
    purchase->deleted = false;
    purchase->completed = false;  // restored purchases wait for confirmation again
    purchase->completed_date.clear();
    Book(*purchase, +1);
  }
  return Reply{200, json{{"status", "ok"}, {"purchase", PurchaseJson(*purchase)}}};
}

Reply SailPlayState::EditUser(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Reply error;
  Purchase* purchase = SessionPurchase(params, /*include_deleted=*/false, error);
  if (purchase == nullptr) return error;
  bool named = false;
  User* target = FindUser(params, /*create=*/false, named);
  if (!named) return Missing("user_phone or email or origin_user_id");
  if (target == nullptr || target->id != purchase->user_id) {
    // The earned points move; the points written off stay with who paid.
    if (!CanTakeBack(*purchase)) return Error(kEditRefused, "Impossible to change purchase user");
    if (target == nullptr) target = FindUser(params, /*create=*/true, named);
    if (purchase->user_id != 0) {
      User& old = users_.at(purchase->user_id);
      (purchase->completed ? old.confirmed : old.unconfirmed) -= purchase->cart.total_points;
    }
    (purchase->completed ? target->confirmed : target->unconfirmed) += purchase->cart.total_points;
    purchase->user_id = target->id;
  }
  json user = UserJson(*target);
  user["points"] = target->confirmed;
  return Reply{200, json{{"status", "ok"},
                         {"id", purchase->id},
                         {"order_num", purchase->order_num},
                         {"user", user}}};
}

Reply SailPlayState::EditCart(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Reply error;
  Purchase* purchase = SessionPurchase(params, /*include_deleted=*/false, error);
  if (purchase == nullptr) return error;
  bool named = false;
  User* target = FindUser(params, /*create=*/false, named);
  if (!named) return Missing("user_phone or email or origin_user_id");
  if (!CanTakeBack(*purchase)) return Error(kEditRefused, "Impossible to change purchase");
  int64_t cart_id = 0;
  auto cart = CartOf(params, purchase->department, cart_id, error);
  if (!cart) return error;
  Book(*purchase, -1);
  if (cart->discount_points > (target == nullptr ? 0 : target->confirmed)) {
    Book(*purchase, +1);
    return Error(kNotEnoughPoints, "Not enough points");
  }
  // Only now, when nothing can refuse, an unknown user is created.
  if (target == nullptr) target = FindUser(params, /*create=*/true, named);
  // Recreated: new cart, new user, waiting for confirmation again.
  purchase->user_id = target->id;
  purchase->cart = *cart;
  purchase->cart_id = cart_id;
  purchase->completed = false;
  purchase->completed_date.clear();
  Book(*purchase, +1);
  return PurchaseReply(*purchase);
}

Reply SailPlayState::GetPurchase(const Params& params) {
  absl::MutexLock lock(&mutex_);
  Reply error;
  Purchase* purchase = SessionPurchase(params, /*include_deleted=*/false, error);
  if (purchase == nullptr) return error;
  return PurchaseReply(*purchase);
}

json SailPlayState::DescribeUser(int64_t id) {
  absl::MutexLock lock(&mutex_);
  auto it = users_.find(id);
  if (it == users_.end()) return nullptr;
  json user = UserJson(it->second);
  json purchases = json::array();
  for (const auto& [pid, p] : purchases_) {
    if (p.user_id != id) continue;
    purchases.push_back({{"order_num", p.order_num},
                         {"is_completed", p.completed},
                         {"deleted", p.deleted},
                         {"points_delta", p.cart.total_points},
                         {"discount_points", p.cart.discount_points},
                         {"price_minor", p.cart.total_price_minor}});
  }
  user["purchases"] = purchases;
  return user;
}

void SailPlayState::RevokeTokens() {
  absl::MutexLock lock(&mutex_);
  tokens_.clear();
}

int64_t SailPlayState::PurchasesCreated(const std::string& order_num) {
  absl::MutexLock lock(&mutex_);
  auto it = created_by_order_.find(order_num);
  return it == created_by_order_.end() ? 0 : it->second;
}

}  // namespace loyalty::simulator::sailplay
