#pragma once

// SailPlay connector: users/info, marketing-actions/calc, purchases/new,
// confirm, delete, restore, edit, get. Program settings:
// `store_department_id`; secrets: `store_department_key`, `pin_code`.
// Points are held in the broker's ledger: SailPlay has no holds.

#include <string>

#include "connectors/core/connector.h"
#include "connectors/sailplay/api_client.h"
#include "connectors/sailplay/wire.h"

namespace loyalty::connectors::sailplay {

class SailPlayConnector final : public Connector {
 public:
  explicit SailPlayConnector(HttpClient& http) : api_(http) {}

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
  // purchases/new v2. An order number the vendor already has is taken as an
  // earlier attempt of this booking that reached it: answered from
  // purchases/get, so a retried booking never doubles.
  void Book(const CallContext& context, const BookRequest& request,
            Callback<BookResult> done) override;
  void Confirm(const CallContext& context, const PurchaseRef& request,
               Callback<PurchaseState> done) override;
  // purchases/delete v1; refused (-3001) when the purchase's points were spent since.
  void Cancel(const CallContext& context, const PurchaseRef& request,
              Callback<PurchaseState> done) override;
  void Restore(const CallContext& context, const PurchaseRef& request,
               Callback<PurchaseState> done) override;
  // purchases/edit v1: the purchase moves to request.new_customer.
  void Reassign(const CallContext& context, const PurchaseRef& request,
                Callback<PurchaseState> done) override;
  void Get(const CallContext& context, const PurchaseRef& request,
           Callback<PurchaseState> done) override;

 private:
  // GETs `path` and parses the answer with `parse`.
  template <typename T, typename Parser>
  void Call(const CallContext& context, const char* path, QueryParams params, bool with_pin,
            Parser parse, Callback<T> done);
  void Calculate(const CallContext& context, const QuoteRequest& request,
                 std::optional<Account> account, Callback<QuoteResult> done);
  // purchases/new v2 with `cart` (cart or cart_id); an order number the
  // vendor already has is answered from purchases/get.
  void NewPurchase(const CallContext& context, const BookRequest& request, QueryParams cart,
                   Callback<BookResult> done);
  // A purchase answer as the broker's purchase state.
  void PurchaseCall(const CallContext& context, const char* path, QueryParams params,
                    Callback<PurchaseState> done);

  ApiClient api_;
};

}  // namespace loyalty::connectors::sailplay
