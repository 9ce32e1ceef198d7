#include "broker/core/guarded_connector.h"

#include "absl/strings/str_cat.h"

namespace loyalty::broker {

template <typename T, typename Send>
void GuardedConnector::Guarded(const connectors::CallContext& context, connectors::Callback<T> done,
                               Send send) {
  const std::shared_ptr<const connectors::ProgramConfig> program = context.program;
  ProgramGuards::Admission admission = guards_.Admit(*program, absl::Now());
  if (admission.held_back != connectors::HeldBack::kNo) {
    done(connectors::Failed{/*retryable=*/true, /*maybe_applied=*/false,
                            absl::StrCat("not called: ", admission.message), admission.held_back});
    return;
  }
  send(connectors::Callback<T>([this, program, cancelled = context.cancelled,
                                done = std::move(done)](connectors::Outcome<T> outcome) {
    CallVerdict verdict = CallVerdict::kAnswered;
    if (outcome.failed()) {
      verdict = cancelled && cancelled() ? CallVerdict::kAbandoned : CallVerdict::kFailed;
    }
    guards_.Finish(*program, verdict, absl::Now());
    done(std::move(outcome));
  }));
}

void GuardedConnector::Identify(const connectors::CallContext& context,
                                const connectors::IdentifyRequest& request,
                                connectors::Callback<connectors::Account> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Identify(context, request, std::move(guarded)); });
}

void GuardedConnector::Quote(const connectors::CallContext& context,
                             const connectors::QuoteRequest& request,
                             connectors::Callback<connectors::QuoteResult> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Quote(context, request, std::move(guarded)); });
}

void GuardedConnector::Hold(const connectors::CallContext& context,
                            const connectors::HoldRequest& request,
                            connectors::Callback<connectors::HoldResult> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Hold(context, request, std::move(guarded)); });
}

void GuardedConnector::Release(const connectors::CallContext& context,
                               const connectors::ReleaseRequest& request,
                               connectors::Callback<connectors::ReleaseResult> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Release(context, request, std::move(guarded)); });
}

void GuardedConnector::Book(const connectors::CallContext& context,
                            const connectors::BookRequest& request,
                            connectors::Callback<connectors::BookResult> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Book(context, request, std::move(guarded)); });
}

void GuardedConnector::Confirm(const connectors::CallContext& context,
                               const connectors::PurchaseRef& request,
                               connectors::Callback<connectors::PurchaseState> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Confirm(context, request, std::move(guarded)); });
}

void GuardedConnector::Cancel(const connectors::CallContext& context,
                              const connectors::PurchaseRef& request,
                              connectors::Callback<connectors::PurchaseState> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Cancel(context, request, std::move(guarded)); });
}

void GuardedConnector::Restore(const connectors::CallContext& context,
                               const connectors::PurchaseRef& request,
                               connectors::Callback<connectors::PurchaseState> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Restore(context, request, std::move(guarded)); });
}

void GuardedConnector::Reassign(const connectors::CallContext& context,
                                const connectors::PurchaseRef& request,
                                connectors::Callback<connectors::PurchaseState> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Reassign(context, request, std::move(guarded)); });
}

void GuardedConnector::Get(const connectors::CallContext& context,
                           const connectors::PurchaseRef& request,
                           connectors::Callback<connectors::PurchaseState> done) {
  Guarded(context, std::move(done),
          [&](auto guarded) { inner_.Get(context, request, std::move(guarded)); });
}

}  // namespace loyalty::broker
