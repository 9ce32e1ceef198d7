#pragma once

// A connector that passes each call through its program's guards
// (program_guards.h) before the vendor's own connector sees it. The broker
// wraps every registered connector in one, so the checkout, recovery and the
// outbox are all guarded alike.

#include <memory>

#include "absl/time/clock.h"
#include "broker/core/program_guards.h"
#include "connectors/core/connector.h"

namespace loyalty::broker {

class GuardedConnector final : public connectors::Connector {
 public:
  GuardedConnector(connectors::Connector& inner, ProgramGuards& guards)
      : inner_(inner), guards_(guards) {}

  std::string_view DisplayName() const override { return inner_.DisplayName(); }
  connectors::Capabilities capabilities() const override { return inner_.capabilities(); }

  void Identify(const connectors::CallContext& context, const connectors::IdentifyRequest& request,
                connectors::Callback<connectors::Account> done) override;
  void Quote(const connectors::CallContext& context, const connectors::QuoteRequest& request,
             connectors::Callback<connectors::QuoteResult> done) override;
  void Hold(const connectors::CallContext& context, const connectors::HoldRequest& request,
            connectors::Callback<connectors::HoldResult> done) override;
  void Release(const connectors::CallContext& context, const connectors::ReleaseRequest& request,
               connectors::Callback<connectors::ReleaseResult> done) override;
  void Book(const connectors::CallContext& context, const connectors::BookRequest& request,
            connectors::Callback<connectors::BookResult> done) override;
  void Confirm(const connectors::CallContext& context, const connectors::PurchaseRef& request,
               connectors::Callback<connectors::PurchaseState> done) override;
  void Cancel(const connectors::CallContext& context, const connectors::PurchaseRef& request,
              connectors::Callback<connectors::PurchaseState> done) override;
  void Restore(const connectors::CallContext& context, const connectors::PurchaseRef& request,
               connectors::Callback<connectors::PurchaseState> done) override;
  void Reassign(const connectors::CallContext& context, const connectors::PurchaseRef& request,
                connectors::Callback<connectors::PurchaseState> done) override;
  void Get(const connectors::CallContext& context, const connectors::PurchaseRef& request,
           connectors::Callback<connectors::PurchaseState> done) override;

 private:
  // Admits the call or answers it at once; `send(done)` starts the real call.
  template <typename T, typename Send>
  void Guarded(const connectors::CallContext& context, connectors::Callback<T> done, Send send);

  connectors::Connector& inner_;
  ProgramGuards& guards_;
};

}  // namespace loyalty::broker
