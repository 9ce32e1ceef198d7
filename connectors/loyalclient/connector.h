#pragma once

// LoyalClient connector: client, recalc, bonuses/hold, bonuses/release,
// retail. Program settings: `point` (the vendor's point id);
// secrets: `apikey`.

#include <string>

#include "connectors/core/connector.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors::loyalclient {

class LoyalClientConnector final : public Connector {
 public:
  explicit LoyalClientConnector(HttpClient& http) : http_(http) {}

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
  // POSTs `body` to /integration/general/<method> and hands the parsed answer
  // (or the transport failure) to `done`.
  template <typename T, typename Parser>
  void Post(const CallContext& context, std::string_view method, std::string body, Parser parse,
            Callback<T> done);

  HttpClient& http_;
};

}  // namespace loyalty::connectors::loyalclient
