#include "connectors/sailplay/connector.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "connectors/sailplay/wire.h"

namespace loyalty::connectors::sailplay {
namespace {

QueryParams WithUser(QueryParams params, const std::optional<CustomerRef>& customer) {
  if (customer.has_value()) {
    if (auto user = UserParam(*customer)) params.push_back(*user);
  }
  return params;
}

}  // namespace

std::string_view SailPlayConnector::DisplayName() const { return kVendorName; }

Capabilities SailPlayConnector::capabilities() const {
  Capabilities caps;
  caps.identify = true;
  caps.quote = true;
  caps.book = true;
  caps.idempotent_book = true;  // order_num is unique: a repeat answers -3002
  caps.confirm = true;
  caps.cancel = true;
  caps.restore = true;
  caps.reassign = true;
  caps.get = true;
  return caps;
}

template <typename T, typename Parser>
void SailPlayConnector::Call(const CallContext& context, const char* path, QueryParams params,
                             bool with_pin, Parser parse, Callback<T> done) {
  api_.Get(context, path, std::move(params), with_pin,
           [parse, done = std::move(done)](Outcome<HttpResponse> answer) {
             if (!answer.approved()) {
               done(answer.template Forward<T>());
               return;
             }
             done(parse(answer.value().status, answer.value().body));
           });
}

void SailPlayConnector::Identify(const CallContext& context, const IdentifyRequest& request,
                                 Callback<Account> done) {
  auto user = UserParam(request.customer);
  if (!user.has_value()) {
    done(Unsupported(kVendorName, "find a customer by card or app code"));
    return;
  }
  Call<Account>(context, "/api/v2/users/info/", {*user}, false, ParseUserInfo, std::move(done));
}

void SailPlayConnector::Quote(const CallContext& context, const QuoteRequest& request,
                              Callback<QuoteResult> done) {
  if (!request.customer.has_value()) {
    Calculate(context, request, std::nullopt, std::move(done));
    return;
  }
  // The calculation names the customer; their balance comes from users/info.
  Identify(context, IdentifyRequest{*request.customer},
           [this, context, request, done = std::move(done)](Outcome<Account> found) mutable {
             if (!found.approved()) {
               done(found.Forward<QuoteResult>());
               return;
             }
             Calculate(context, request, std::move(found.value()), std::move(done));
           });
}

void SailPlayConnector::Calculate(const CallContext& context, const QuoteRequest& request,
                                  std::optional<Account> account, Callback<QuoteResult> done) {
  QueryParams params = WithUser({{"cart", CartJson(CartFrom(request.lines))}}, request.customer);
  if (!request.coupons.empty()) params.emplace_back("promocodes", PromocodesJson(request.coupons));
  auto on_calc = [account = std::move(account), done = std::move(done)](Outcome<Calc> calc) {
    if (!calc.approved()) {
      done(calc.Forward<QuoteResult>());
      return;
    }
    const Calc& c = calc.value();
    QuoteResult result = QuoteFrom(c);
    if (account.has_value()) {
      // Points go to a known customer only; spending is capped by the cart
      // and by the confirmed balance.
      result.earn_centipoints = c.total_points_centipoints;
      result.spendable_centipoints =
          std::min(c.discount_points_max_for_user_centipoints, account->balance_centipoints);
      result.account = std::move(account);
    } else {
      result.explanation += "; no customer: no points";
    }
    done(std::move(result));
  };
  Call<Calc>(context, "/api/v2/marketing-actions/calc/", std::move(params), false, ParseCalc,
             Callback<Calc>(std::move(on_calc)));
}

void SailPlayConnector::Hold(const CallContext&, const HoldRequest&, Callback<HoldResult> done) {
  done(Unsupported(kVendorName, "hold points (the broker's ledger holds them)"));
}

void SailPlayConnector::Release(const CallContext&, const ReleaseRequest&,
                                Callback<ReleaseResult> done) {
  done(Unsupported(kVendorName, "release a hold (the broker's ledger holds them)"));
}

void SailPlayConnector::Book(const CallContext& context, const BookRequest& request,
                             Callback<BookResult> done) {
  if (request.spend_centipoints % kCentipointsPerPoint != 0) {
    done(Declined{DeclineKind::kInvalidArgument, "spend",
                  "SailPlay spends whole points only (multiples of 100 centipoints)"});
    return;
  }
  const int64_t points = request.spend_centipoints / kCentipointsPerPoint;
  if (points == 0) {
    // The quoted cart, exactly as calculated, when there is one.
    QueryParams cart;
    if (request.quote_reference.empty()) {
      cart.emplace_back("cart", CartJson(CartFrom(request.lines)));
    } else {
      cart.emplace_back("cart_id", request.quote_reference);
    }
    NewPurchase(context, request, std::move(cart), std::move(done));
    return;
  }
  // Points are written off per position, each within the limit SailPlay
  // sets: a fresh calculation gives the limits.
  QueryParams params = WithUser({{"cart", CartJson(CartFrom(request.lines))}}, request.customer);
  if (!request.coupons.empty()) params.emplace_back("promocodes", PromocodesJson(request.coupons));
  auto on_calc = [this, context, request, points,
                  done = std::move(done)](Outcome<Calc> calc) mutable {
    if (!calc.approved()) {
      done(calc.Forward<BookResult>());
      return;
    }
    std::vector<CartPosition> cart = CartFrom(request.lines);
    if (!SpreadPoints(points, calc.value(), cart)) {
      done(Declined{
          DeclineKind::kRefused, "spend",
          absl::StrCat(points, " points exceed what SailPlay lets this cart take (",
                       calc.value().discount_points_max_for_user_centipoints / kCentipointsPerPoint,
                       ")")});
      return;
    }
    NewPurchase(context, request, {{"cart", CartJson(cart)}}, std::move(done));
  };
  Call<Calc>(context, "/api/v2/marketing-actions/calc/", std::move(params), false, ParseCalc,
             Callback<Calc>(std::move(on_calc)));
}

void SailPlayConnector::NewPurchase(const CallContext& context, const BookRequest& request,
                                    QueryParams cart, Callback<BookResult> done) {
  QueryParams params = WithUser({{"order_num", request.order_number}}, request.customer);
  params.insert(params.end(), cart.begin(), cart.end());
  if (!request.coupons.empty()) params.emplace_back("promocodes", PromocodesJson(request.coupons));
  const int64_t asked = request.spend_centipoints;
  PurchaseRef ref{request.order_number, "", std::nullopt};
  auto on_new = [this, context, ref, asked, done = std::move(done)](Outcome<Purchase> made) {
    if (made.declined() && made.declined_reason().field == absl::StrCat(kDuplicateOrder)) {
      Get(context, ref, [asked, done](Outcome<PurchaseState> found) {
        if (!found.approved()) {
          done(found.Forward<BookResult>());
          return;
        }
        const PurchaseState& state = found.value();
        done(BookResult{state.vendor_reference, asked, state.earned_centipoints, state.confirmed});
      });
      return;
    }
    if (!made.approved()) {
      done(made.Forward<BookResult>());
      return;
    }
    const Purchase& p = made.value();
    BookResult booked;
    booked.vendor_reference = p.id;
    // The vendor's own figure where its answer lists it (checked against
    // what was asked by the broker); an answer that does not list it
    // accepted the cart as sent.
    booked.spent_centipoints = p.discount_centipoints.value_or(asked);
    booked.earned_centipoints = p.points_delta_centipoints;
    booked.confirmed = p.is_completed;
    done(std::move(booked));
  };
  Call<Purchase>(context, "/api/v2/purchases/new/", std::move(params), /*with_pin=*/true,
                 ParsePurchase, Callback<Purchase>(std::move(on_new)));
}

void SailPlayConnector::PurchaseCall(const CallContext& context, const char* path,
                                     QueryParams params, Callback<PurchaseState> done) {
  Call<Purchase>(context, path, std::move(params), false, ParsePurchase,
                 [done = std::move(done)](Outcome<Purchase> purchase) {
                   if (!purchase.approved()) {
                     done(purchase.Forward<PurchaseState>());
                     return;
                   }
                   done(StateOf(purchase.value()));
                 });
}

void SailPlayConnector::Confirm(const CallContext& context, const PurchaseRef& request,
                                Callback<PurchaseState> done) {
  PurchaseCall(context, "/api/v2/purchases/confirm/", {{"order_num", request.order_number}},
               std::move(done));
}

void SailPlayConnector::Cancel(const CallContext& context, const PurchaseRef& request,
                               Callback<PurchaseState> done) {
  Call<Deleted>(context, "/api/v1/purchases/delete/", {{"order_num", request.order_number}}, false,
                ParseDelete, [done = std::move(done)](Outcome<Deleted> deleted) {
                  if (!deleted.approved()) {
                    done(deleted.Forward<PurchaseState>());
                    return;
                  }
                  PurchaseState state;
                  state.vendor_reference = deleted.value().id;
                  state.cancelled = true;
                  done(std::move(state));
                });
}

void SailPlayConnector::Restore(const CallContext& context, const PurchaseRef& request,
                                Callback<PurchaseState> done) {
  PurchaseCall(context, "/api/v2/purchases/restore", {{"order_num", request.order_number}},
               std::move(done));
}

void SailPlayConnector::Reassign(const CallContext& context, const PurchaseRef& request,
                                 Callback<PurchaseState> done) {
  auto user = request.new_customer ? UserParam(*request.new_customer) : std::nullopt;
  if (!user.has_value()) {
    done(Unsupported(kVendorName, "move a purchase to a customer named by card or app code"));
    return;
  }
  Call<Rebound>(context, "/api/v1/purchases/edit/", {{"order_num", request.order_number}, *user},
                false, ParseEditUser, [done = std::move(done)](Outcome<Rebound> rebound) {
                  if (!rebound.approved()) {
                    done(rebound.Forward<PurchaseState>());
                    return;
                  }
                  PurchaseState state;
                  state.vendor_reference = rebound.value().id;
                  state.vendor_customer_id = rebound.value().user_id;
                  done(std::move(state));
                });
}

void SailPlayConnector::Get(const CallContext& context, const PurchaseRef& request,
                            Callback<PurchaseState> done) {
  PurchaseCall(context, "/api/v2/purchases/get/", {{"order_num", request.order_number}},
               std::move(done));
}

}  // namespace loyalty::connectors::sailplay
