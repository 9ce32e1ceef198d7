#include "connectors/artix/connector.h"

#include <algorithm>
#include <memory>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "connectors/artix/settings.h"
#include "connectors/http/failure.h"

namespace loyalty::connectors::artix {
namespace {

// Identifies one calculation in the vendor's logs.
std::string NewIdentifier() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return absl::StrFormat("%016x%04x", random(), random() & 0xFFFF);
}

CheckRequest NewCheck(const CallContext& context) {
  static const ArtixSettings kNone;  // Calculate refuses the program then
  const auto* typed = context.program->TypedSettings<ArtixSettings>();
  const ArtixSettings& settings = typed ? *typed : kNone;
  CheckRequest check;
  check.cash_code = settings.cash_code;
  check.shop_code = settings.shop_code;
  check.shop_labels = settings.shop_labels;
  check.identifier = NewIdentifier();
  return check;
}

std::optional<Account> AccountOf(const CheckResult& result, const std::string& number) {
  for (const Card& card : result.cards) {
    if (card.number != number) continue;
    Account account;
    account.vendor_customer_id = card.number;
    account.level.id = absl::StrCat(card.card_group_id);
    account.level.title = card.card_group_name;
    account.balance_centipoints = card.bonus_balance_centipoints;
    return account;
  }
  return std::nullopt;
}

Declined UnknownCard(const std::string& number) {
  return Declined{DeclineKind::kNotFound, "cards",
                  absl::StrCat("card ", number, " is not known to Artix VirtualPOS")};
}

}  // namespace

std::string_view ArtixConnector::DisplayName() const { return kVendorName; }

Capabilities ArtixConnector::capabilities() const {
  Capabilities caps;
  caps.identify = true;
  caps.quote = true;
  return caps;
}

void ArtixConnector::Calculate(const CallContext& context, CheckRequest check,
                               Callback<CheckResult> done) {
  if (context.program->TypedSettings<ArtixSettings>() == nullptr) {
    done(SettingsRefused(*context.program));
    return;
  }
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(context.program->base_url, "/calculatediscount");
  request.headers = {{"Content-Type", "application/json"}};
  request.body = CalculateDiscountBody(check);
  request.deadline = context.deadline;
  request.cancelled = context.cancelled;
  request.on_callers_thread = context.on_callers_thread;
  request.safe_to_repeat = true;  // it only calculates
  auto shared_check = std::make_shared<CheckRequest>(std::move(check));
  http_.Send(std::move(request), [shared_check, done = std::move(done)](HttpResult result) {
    if (auto* error = std::get_if<HttpError>(&result)) {
      done(CalculationFailure(FailureFromHttpError(kVendorName, *error)));
      return;
    }
    const auto& response = std::get<HttpResponse>(result);
    done(ParseCalculateDiscount(response.status, response.body, *shared_check));
  });
}

void ArtixConnector::Identify(const CallContext& context, const IdentifyRequest& request,
                              Callback<Account> done) {
  if (request.customer.kind != CustomerRef::Kind::kCard) {
    done(Unsupported(kVendorName, "find a customer by anything but a card number"));
    return;
  }
  CheckRequest check = NewCheck(context);
  check.cards = {request.customer.value};
  const std::string number = request.customer.value;
  Calculate(context, std::move(check), [number, done = std::move(done)](Outcome<CheckResult> r) {
    if (!r.approved()) {
      done(r.Forward<Account>());
      return;
    }
    auto account = AccountOf(r.value(), number);
    if (!account) {
      done(UnknownCard(number));
      return;
    }
    done(std::move(*account));
  });
}

void ArtixConnector::Quote(const CallContext& context, const QuoteRequest& request,
                           Callback<QuoteResult> done) {
  CheckRequest check = NewCheck(context);
  check.lines = request.lines;
  check.coupons = request.coupons;
  // Promotions apply to everyone; bonuses need a card.
  std::string card;
  if (request.customer && request.customer->kind == CustomerRef::Kind::kCard) {
    card = request.customer->value;
    check.cards = {card};
  }
  Calculate(context, std::move(check), [card, done = std::move(done)](Outcome<CheckResult> r) {
    if (!r.approved()) {
      done(r.Forward<QuoteResult>());
      return;
    }
    const CheckResult& check = r.value();
    QuoteResult result;
    int campaigns = 0;
    for (const PositionResult& p : check.positions) {
      for (const PositionDiscount& d : p.discounts) {
        result.discounts.push_back({.line_no = p.posnum,
                                    .amount_minor = d.amount_minor,
                                    .campaign_name = d.campaign_name,
                                    .campaign_code = absl::StrCat(d.campaign_code),
                                    .coupon = d.coupon_number});
        ++campaigns;
      }
    }
    result.explanation = absl::StrCat(campaigns, " campaign discount(s)");
    if (!card.empty()) {
      result.account = AccountOf(check, card);
      if (!result.account) {
        done(UnknownCard(card));
        return;
      }
      result.earn_centipoints = check.points_for_earn_centipoints;
      result.spendable_centipoints =
          std::min(check.points_for_spend_centipoints, result.account->balance_centipoints);
      absl::StrAppend(&result.explanation, "; card group \"", result.account->level.title, "\"");
    } else {
      absl::StrAppend(&result.explanation, "; no card: promotions only");
    }
    done(std::move(result));
  });
}

void ArtixConnector::Hold(const CallContext&, const HoldRequest&, Callback<HoldResult> done) {
  done(Unsupported(kVendorName, "hold points (the broker's ledger holds them)"));
}

void ArtixConnector::Release(const CallContext&, const ReleaseRequest&,
                             Callback<ReleaseResult> done) {
  done(Unsupported(kVendorName, "release a hold (the broker's ledger holds them)"));
}

void ArtixConnector::Book(const CallContext&, const BookRequest&, Callback<BookResult> done) {
  done(Unsupported(kVendorName, "book a purchase: it only calculates discounts"));
}

void ArtixConnector::Confirm(const CallContext&, const PurchaseRef&, Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "confirm a purchase: it only calculates discounts"));
}

void ArtixConnector::Cancel(const CallContext&, const PurchaseRef&, Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "cancel a booked purchase"));
}

void ArtixConnector::Restore(const CallContext&, const PurchaseRef&, Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "restore a purchase"));
}

void ArtixConnector::Reassign(const CallContext&, const PurchaseRef&,
                              Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "move a purchase to another customer"));
}

void ArtixConnector::Get(const CallContext&, const PurchaseRef&, Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "look up a purchase"));
}

}  // namespace loyalty::connectors::artix
