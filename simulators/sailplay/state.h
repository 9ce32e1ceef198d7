#pragma once

// The SailPlay simulator's business state and rules, apart from HTTP:
// departments with keys and PIN codes, tokens, users with confirmed,
// unconfirmed and spent points, pre-calculated carts, purchases that are
// confirmed, deleted, restored and edited. Every method takes the request's
// parameters and returns the JSON answer the vendor's document shows.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "simulators/kit/reply.h"
#include "simulators/sailplay/catalog.h"

namespace loyalty::simulator::sailplay {

using Params = std::multimap<std::string, std::string>;

class SailPlayState {
 public:
  // Seeds from the data file's JSON (see data/sailplay-seed.json). Throws
  // std::invalid_argument on a malformed seed.
  explicit SailPlayState(const nlohmann::json& seed);

  Reply Login(const Params& params);
  // Every call below checks token and store_department_id first.
  Reply UserInfo(const Params& params);
  Reply Calc(const Params& params);
  Reply NewPurchase(const Params& params);
  Reply Confirm(const Params& params);
  Reply Delete(const Params& params);
  Reply Restore(const Params& params);
  Reply EditUser(const Params& params);  // v1
  Reply EditCart(const Params& params);  // v2
  Reply GetPurchase(const Params& params);

  // Test views and controls.
  nlohmann::json DescribeUser(int64_t id);
  void RevokeTokens();
  // Number of purchases/new calls that created a purchase, by order number.
  int64_t PurchasesCreated(const std::string& order_num);

 private:
  struct Department {
    int64_t id = 0;
    std::string key, pin_code;
    bool confirm_required = true;
  };
  struct User {
    int64_t id = 0;
    std::string phone, email, origin_user_id, first_name, last_name;
    int64_t confirmed = 0, unconfirmed = 0, spent = 0;  // whole points
  };
  struct StoredCart {
    int64_t department = 0;
    PricedCart cart;
    bool used = false;
  };
  struct Purchase {
    int64_t id = 0;
    int64_t department = 0;
    std::string order_num, public_key, purchase_date, completed_date, clerk_pin;
    int64_t user_id = 0;  // 0: anonymous
    int64_t cart_id = 0;
    PricedCart cart;
    bool completed = false;
    bool deleted = false;
  };

  // The department the token belongs to, or an error reply.
  std::optional<Reply> CheckSession(const Params& params, Department** department)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The user named by user_phone, email or origin_user_id; `create` adds
  // an unknown one. Null with `named` false when no identifier was given.
  User* FindUser(const Params& params, bool create, bool& named)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Purchase* FindPurchase(int64_t department, const Params& params)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The purchase a request names (order_num or purchase_id) in the
  // department its token opens; null with `error` filled when the session is
  // refused or there is no such purchase (deleted ones count only with
  // `include_deleted`).
  Purchase* SessionPurchase(const Params& params, bool include_deleted, Reply& error)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // The cart of a request: `cart_id` or `cart`. Fills `error` on failure.
  std::optional<PricedCart> CartOf(const Params& params, int64_t department, int64_t& cart_id,
                                   Reply& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Points a purchase adds and takes, applied (+1) or taken back (-1).
  void Book(Purchase& purchase, int sign) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Whether the user still has the points the purchase gave (to take them back).
  bool CanTakeBack(const Purchase& purchase) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  nlohmann::json UserJson(const User& user) const;
  nlohmann::json PurchaseJson(const Purchase& purchase) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // {"status":"ok","purchase":...,"cart":{...}}.
  Reply PurchaseReply(const Purchase& purchase) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  absl::Mutex mutex_;
  Catalog catalog_ ABSL_GUARDED_BY(mutex_);
  std::map<int64_t, Department> departments_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, int64_t> tokens_ ABSL_GUARDED_BY(mutex_);  // token -> department
  std::map<int64_t, User> users_ ABSL_GUARDED_BY(mutex_);
  std::map<int64_t, StoredCart> carts_ ABSL_GUARDED_BY(mutex_);
  std::map<int64_t, Purchase> purchases_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, int64_t> created_by_order_ ABSL_GUARDED_BY(mutex_);
  int64_t next_user_id_ ABSL_GUARDED_BY(mutex_) = 900000;
  int64_t next_cart_id_ ABSL_GUARDED_BY(mutex_) = 615355613;
  int64_t next_purchase_id_ ABSL_GUARDED_BY(mutex_) = 23141;
  uint64_t token_counter_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace loyalty::simulator::sailplay
