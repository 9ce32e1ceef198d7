#pragma once

// The one interface every vendor connector implements. One connector serves
// every program of its vendor: the program (typed settings, credentials) and
// the deadline come with each call; results come back through a callback,
// possibly on another thread. A connector may keep per-program state that
// the vendor's protocol needs (SailPlay's login tokens).

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "connectors/core/outcome.h"
#include "connectors/core/program.h"
#include "connectors/core/types.h"

namespace loyalty::connectors {

// What a vendor can do natively. The broker supplies or refuses the rest.
struct Capabilities {
  bool identify = false;
  bool quote = false;
  bool hold = false;         // native point holds
  int max_hold_seconds = 0;  // the longest hold the vendor grants; 0: no limit
  bool book = false;         // the vendor records purchases
  // A booking repeated with the same order number is recognised, never
  // doubled: safe to send again when the first answer was lost.
  bool idempotent_book = false;
  bool confirm = false;  // booking needs a separate confirm
  bool cancel = false;
  bool restore = false;
  bool reassign = false;
  bool get = false;
};

struct CallContext {
  std::shared_ptr<const ProgramConfig> program;
  // The vendor call must be over by then; derived from the caller's deadline.
  absl::Time deadline;
  // True once the caller has gone away: stop waiting for the vendor. Empty
  // for calls that must run to the end (bookings: cutting one short would
  // only make its outcome unknown). Any thread may call it.
  std::function<bool()> cancelled;
  // The caller does nothing but wait for this call's outcome: its HTTP
  // exchanges may run on the caller's thread (HttpRequest::on_callers_thread),
  // and `done` may run there before the call returns.
  bool on_callers_thread = false;
};

template <typename T>
using Callback = std::function<void(Outcome<T>)>;

class Connector {
 public:
  virtual ~Connector() = default;

  // Display name used in error messages, e.g. "LoyalClient".
  virtual std::string_view DisplayName() const = 0;
  virtual Capabilities capabilities() const = 0;

  virtual void Identify(const CallContext& context, const IdentifyRequest& request,
                        Callback<Account> done) = 0;
  virtual void Quote(const CallContext& context, const QuoteRequest& request,
                     Callback<QuoteResult> done) = 0;
  virtual void Hold(const CallContext& context, const HoldRequest& request,
                    Callback<HoldResult> done) = 0;
  virtual void Release(const CallContext& context, const ReleaseRequest& request,
                       Callback<ReleaseResult> done) = 0;
  virtual void Book(const CallContext& context, const BookRequest& request,
                    Callback<BookResult> done) = 0;
  virtual void Confirm(const CallContext& context, const PurchaseRef& request,
                       Callback<PurchaseState> done) = 0;
  virtual void Cancel(const CallContext& context, const PurchaseRef& request,
                      Callback<PurchaseState> done) = 0;
  virtual void Restore(const CallContext& context, const PurchaseRef& request,
                       Callback<PurchaseState> done) = 0;
  virtual void Reassign(const CallContext& context, const PurchaseRef& request,
                        Callback<PurchaseState> done) = 0;
  virtual void Get(const CallContext& context, const PurchaseRef& request,
                   Callback<PurchaseState> done) = 0;
};

// The decline a connector answers for an operation its vendor lacks,
// e.g. "LoyalClient cannot cancel a booked purchase".
Declined Unsupported(std::string_view vendor, std::string_view what);

// The decline for a program whose settings did not parse (or were never
// parsed: VendorCatalog::Prepare was not called for it).
Declined SettingsRefused(const ProgramConfig& program);

}  // namespace loyalty::connectors
