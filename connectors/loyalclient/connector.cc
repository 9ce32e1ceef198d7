#include "connectors/loyalclient/connector.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "connectors/core/decimal.h"
#include "connectors/http/failure.h"
#include "connectors/loyalclient/settings.h"
#include "connectors/loyalclient/wire.h"

namespace loyalty::connectors::loyalclient {
namespace {

// Read where a request is built; Post refuses the program first when its
// settings did not parse.
const LoyalClientSettings& Settings(const CallContext& context) {
  static const LoyalClientSettings kNone;
  const auto* settings = context.program->TypedSettings<LoyalClientSettings>();
  return settings ? *settings : kNone;
}

const std::string& Point(const CallContext& context) { return Settings(context).point; }

int64_t CheckAmount(const std::vector<Line>& lines) {
  int64_t amount = 0;
  for (const Line& line : lines) amount += line.total_before_minor - line.discount_minor;
  return amount;
}

std::string Explain(const Account& account, const Recalc& recalc) {
  const std::string percent = FormatDecimal(recalc.percent_bp, 2);
  if (recalc.type == LevelType::kDiscount) {
    return absl::StrFormat("discount level \"%s\" %s%% off the check", account.level.title,
                           percent);
  }
  return absl::StrFormat("cashback level \"%s\" %s%%, up to %s%% of the check in points",
                         account.level.title, percent,
                         FormatDecimal(account.level.max_spend_percent_bp, 2));
}

// Spreads a whole-check discount over the lines in proportion to their
// totals; the last line takes the rounding remainder so the sum is exact.
std::vector<LineDiscount> SpreadDiscount(const std::vector<Line>& lines, int64_t discount,
                                         const std::string& campaign) {
  std::vector<LineDiscount> result;
  const int64_t amount = CheckAmount(lines);
  if (discount <= 0 || amount <= 0) return result;
  int64_t given = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const int64_t base = lines[i].total_before_minor - lines[i].discount_minor;
    int64_t share = i + 1 == lines.size() ? discount - given : MulDivFloor(discount, base, amount);
    if (share <= 0) continue;
    given += share;
    LineDiscount discount;
    discount.line_no = lines[i].line_no;
    discount.amount_minor = share;
    discount.campaign_name = campaign;
    result.push_back(std::move(discount));
  }
  return result;
}

}  // namespace

std::string_view LoyalClientConnector::DisplayName() const { return kVendorName; }

Capabilities LoyalClientConnector::capabilities() const {
  Capabilities caps;
  caps.identify = true;
  caps.quote = true;
  caps.hold = true;
  caps.max_hold_seconds = kMaxHoldMinutes * 60;
  caps.book = true;
  return caps;
}

template <typename T, typename Parser>
void LoyalClientConnector::Post(const CallContext& context, std::string_view method,
                                std::string body, Parser parse, Callback<T> done) {
  if (context.program->TypedSettings<LoyalClientSettings>() == nullptr) {
    done(SettingsRefused(*context.program));
    return;
  }
  HttpRequest request;
  request.method = "POST";
  request.url =
      absl::StrCat(context.program->base_url, "/integration/general/", std::string(method));
  const std::string& apikey = Settings(context).apikey;
  request.headers = {{"Content-Type", "application/json"}, {"apikey", apikey}};
  request.body = std::move(body);
  request.deadline = context.deadline;
  request.cancelled = context.cancelled;
  request.on_callers_thread = context.on_callers_thread;
  request.secrets = {apikey};
  // client and recalc only read; hold, release and retail change balances.
  request.safe_to_repeat = method == "client" || method == "recalc";
  http_.Send(std::move(request), [parse, done = std::move(done)](HttpResult result) {
    if (auto* error = std::get_if<HttpError>(&result)) {
      done(FailureFromHttpError(kVendorName, *error));
      return;
    }
    const auto& response = std::get<HttpResponse>(result);
    done(parse(response.status, response.body));
  });
}

void LoyalClientConnector::Identify(const CallContext& context, const IdentifyRequest& request,
                                    Callback<Account> done) {
  if (request.customer.kind == CustomerRef::Kind::kEmail ||
      request.customer.kind == CustomerRef::Kind::kExternalId) {
    done(Unsupported(kVendorName, "find a customer by e-mail or external id"));
    return;
  }
  Post<Account>(context, "client", ClientBody(request.customer.value, Point(context)), ParseClient,
                std::move(done));
}

void LoyalClientConnector::Quote(const CallContext& context, const QuoteRequest& request,
                                 Callback<QuoteResult> done) {
  if (!request.customer.has_value()) {
    QuoteResult anonymous;
    anonymous.explanation = "no customer: LoyalClient prices only known customers";
    done(std::move(anonymous));
    return;
  }
  const int64_t amount = CheckAmount(request.lines);
  auto lines = std::make_shared<std::vector<Line>>(request.lines);
  // recalc needs the vendor's client id, so the lookup comes first.
  Identify(context, IdentifyRequest{*request.customer},
           [this, context, amount, lines, done = std::move(done)](Outcome<Account> found) mutable {
             if (!found.approved()) {
               done(found.Forward<QuoteResult>());
               return;
             }
             Account account = std::move(found.value());
             auto on_recalc = [account, lines, done = std::move(done)](Outcome<Recalc> recalc) {
               if (!recalc.approved()) {
                 done(recalc.Forward<QuoteResult>());
                 return;
               }
               const Recalc& r = recalc.value();
               QuoteResult result;
               result.account = account;
               result.explanation = Explain(account, r);
               if (r.type == LevelType::kDiscount) {
                 const int64_t discount = MulDivRound(r.amount_minor, r.percent_bp, 10000);
                 result.discounts = SpreadDiscount(*lines, discount, account.level.title);
               } else {
                 result.spendable_centipoints = r.spend_centipoints;
                 result.earn_centipoints = r.earn_centipoints;
               }
               done(std::move(result));
             };
             Post<Recalc>(context, "recalc",
                          RecalcBody(account.vendor_customer_id, Point(context), amount),
                          ParseRecalc, Callback<Recalc>(std::move(on_recalc)));
           });
}

void LoyalClientConnector::Hold(const CallContext& context, const HoldRequest& request,
                                Callback<HoldResult> done) {
  Post<Held>(context, "bonuses/hold",
             HoldBody(request.vendor_customer_id, Point(context), request.amount_centipoints,
                      HoldMinutes(request.ttl_seconds)),
             ParseHold, [done = std::move(done)](Outcome<Held> held) {
               if (!held.approved()) {
                 done(held.Forward<HoldResult>());
                 return;
               }
               done(HoldResult{held.value().amount_centipoints, held.value().until_unix});
             });
}

void LoyalClientConnector::Release(const CallContext& context, const ReleaseRequest& request,
                                   Callback<ReleaseResult> done) {
  Post<ReleaseResult>(context, "bonuses/release",
                      ReleaseBody(request.vendor_customer_id, Point(context)), ParseRelease,
                      std::move(done));
}

void LoyalClientConnector::Book(const CallContext& context, const BookRequest& request,
                                Callback<BookResult> done) {
  Post<Retail>(context, "retail",
               RetailBody(request.vendor_customer_id, Point(context), request.amount_minor,
                          request.spend_centipoints),
               ParseRetail, [done = std::move(done)](Outcome<Retail> retail) {
                 if (!retail.approved()) {
                   done(retail.Forward<BookResult>());
                   return;
                 }
                 BookResult booked;
                 booked.spent_centipoints = retail.value().spent_centipoints;
                 booked.earned_centipoints = retail.value().earned_centipoints;
                 booked.confirmed = true;  // retail is final: nothing to confirm
                 done(std::move(booked));
               });
}

void LoyalClientConnector::Confirm(const CallContext&, const PurchaseRef&,
                                   Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "confirm a purchase: retail is final when booked"));
}

void LoyalClientConnector::Cancel(const CallContext&, const PurchaseRef&,
                                  Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "cancel a booked purchase"));
}

void LoyalClientConnector::Restore(const CallContext&, const PurchaseRef&,
                                   Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "restore a purchase"));
}

void LoyalClientConnector::Reassign(const CallContext&, const PurchaseRef&,
                                    Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "move a purchase to another customer"));
}

void LoyalClientConnector::Get(const CallContext&, const PurchaseRef&,
                               Callback<PurchaseState> done) {
  done(Unsupported(kVendorName, "look up a purchase"));
}

}  // namespace loyalty::connectors::loyalclient
