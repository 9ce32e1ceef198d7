#pragma once

// Artix VirtualPOS connector: one call, POST /calculatediscount, used to
// identify a card (its group and bonus balance) and to quote a cart
// (discounts per position, points to earn and to spend). Artix only
// calculates: booking, confirming, cancelling and holds are refused
// precisely. Program settings: `cash_code`, `shop_code`, `shop_labels`
// (comma-separated ids). No credentials: VirtualPOS runs in the retailer's
// network without authentication.

#include <string>

#include "connectors/artix/wire.h"
#include "connectors/core/connector.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors::artix {

class ArtixConnector final : public Connector {
 public:
  explicit ArtixConnector(HttpClient& http) : http_(http) {}

  std::string_view DisplayName() const override;
  Capabilities capabilities() const override;

  void Identify(const CallContext& context, const IdentifyRequest& request,
                Callback<Account> done) override;
  void Quote(const CallContext& context, const QuoteRequest& request,
             Callback<QuoteResult> done) override;
  void Hold(const CallContext& context, const HoldRequest& request,
            Callback<HoldResult> done) override;
  void Release(const CallContext& context, const ReleaseRequest& request,
               Callback<ReleaseResult> done) override;
  void Book(const CallContext& context, const BookRequest& request,
            Callback<BookResult> done) override;
  void Confirm(const CallContext& context, const PurchaseRef& request,
               Callback<PurchaseState> done) override;
  void Cancel(const CallContext& context, const PurchaseRef& request,
              Callback<PurchaseState> done) override;
  void Restore(const CallContext& context, const PurchaseRef& request,
               Callback<PurchaseState> done) override;
  void Reassign(const CallContext& context, const PurchaseRef& request,
                Callback<PurchaseState> done) override;
  void Get(const CallContext& context, const PurchaseRef& request,
           Callback<PurchaseState> done) override;

 private:
  void Calculate(const CallContext& context, CheckRequest check, Callback<CheckResult> done);

  HttpClient& http_;
};

}  // namespace loyalty::connectors::artix
