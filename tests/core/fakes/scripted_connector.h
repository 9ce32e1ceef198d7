#pragma once

// A connector for unit tests of the core: answers at once, on the caller's
// thread, from a script of outcomes per operation (approved when the script
// is empty), and keeps the bookings it approved, so that `Get` answers what
// the vendor would. Records every call it receives.

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "connectors/core/connector.h"

namespace loyalty::broker::testing {

class ScriptedConnector final : public connectors::Connector {
 public:
  struct Booking {
    connectors::BookResult result;
    int64_t amount_minor = 0;
    bool cancelled = false;
  };
  // What the next call of an operation answers instead of approving.
  using Scripted = std::variant<connectors::Declined, connectors::Failed>;

  explicit ScriptedConnector(connectors::Capabilities capabilities, int64_t earn_percent = 10)
      : capabilities_(capabilities), earn_percent_(earn_percent) {}

  void Next(const std::string& operation, Scripted outcome) {
    absl::MutexLock lock(&mutex_);
    script_[operation].push_back(std::move(outcome));
  }
  // A booking the vendor made without the broker hearing back (a crash).
  void AddBooking(const std::string& order_number, int64_t earned_centipoints) {
    absl::MutexLock lock(&mutex_);
    bookings_[order_number].result = {"ref-" + order_number, 0, earned_centipoints, true};
  }
  // The vendor lost a booking (or never made it though the broker heard so).
  void DropBooking(const std::string& order_number) {
    absl::MutexLock lock(&mutex_);
    bookings_.erase(order_number);
  }
  std::vector<std::string> calls() {
    absl::MutexLock lock(&mutex_);
    return calls_;
  }
  std::map<std::string, Booking> bookings() {
    absl::MutexLock lock(&mutex_);
    return bookings_;
  }

  std::string_view DisplayName() const override { return "Scripted"; }
  connectors::Capabilities capabilities() const override { return capabilities_; }

  void Identify(const connectors::CallContext&, const connectors::IdentifyRequest& request,
                connectors::Callback<connectors::Account> done) override {
    if (auto scripted = Take("identify")) return done(Forward<connectors::Account>(*scripted));
    done(connectors::Account{"cust-" + request.customer.value, "", {}, 100000});
  }
  void Quote(const connectors::CallContext&, const connectors::QuoteRequest& request,
             connectors::Callback<connectors::QuoteResult> done) override {
    if (auto scripted = Take("quote")) return done(Forward<connectors::QuoteResult>(*scripted));
    connectors::QuoteResult result;
    if (request.customer) {
      result.account = connectors::Account{"cust-" + request.customer->value, "", {}, 100000};
    }
    int64_t amount = 0;
    for (const auto& line : request.lines) amount += line.total_before_minor - line.discount_minor;
    // A point is one unit of money: a centipoint is one minor unit.
    result.spendable_centipoints = capabilities_.book ? amount / 2 : 0;
    result.earn_centipoints = capabilities_.book ? amount * earn_percent_ / 100 : 0;
    done(result);
  }
  void Hold(const connectors::CallContext&, const connectors::HoldRequest& request,
            connectors::Callback<connectors::HoldResult> done) override {
    if (auto scripted = Take("hold")) return done(Forward<connectors::HoldResult>(*scripted));
    done(connectors::HoldResult{request.amount_centipoints, 0});
  }
  void Release(const connectors::CallContext&, const connectors::ReleaseRequest&,
               connectors::Callback<connectors::ReleaseResult> done) override {
    if (auto scripted = Take("release")) return done(Forward<connectors::ReleaseResult>(*scripted));
    done(connectors::ReleaseResult{});
  }
  void Book(const connectors::CallContext&, const connectors::BookRequest& request,
            connectors::Callback<connectors::BookResult> done) override {
    if (auto scripted = Take("book:" + request.order_number)) {
      return done(Forward<connectors::BookResult>(*scripted));
    }
    absl::MutexLock lock(&mutex_);
    Booking& booking = bookings_[request.order_number];
    booking.amount_minor = request.amount_minor;
    booking.result = {"ref-" + request.order_number, request.spend_centipoints,
                      (request.amount_minor - request.spend_centipoints) * earn_percent_ / 100,
                      !capabilities_.confirm};
    booking.cancelled = false;
    done(booking.result);
  }
  void Confirm(const connectors::CallContext& context, const connectors::PurchaseRef& ref,
               connectors::Callback<connectors::PurchaseState> done) override {
    OnBooking("confirm", ref, std::move(done), [](Booking& b) { b.result.confirmed = true; });
  }
  void Cancel(const connectors::CallContext& context, const connectors::PurchaseRef& ref,
              connectors::Callback<connectors::PurchaseState> done) override {
    OnBooking("cancel", ref, std::move(done), [](Booking& b) { b.cancelled = true; });
  }
  void Restore(const connectors::CallContext& context, const connectors::PurchaseRef& ref,
               connectors::Callback<connectors::PurchaseState> done) override {
    OnBooking("restore", ref, std::move(done), [](Booking& b) { b.cancelled = false; });
  }
  void Reassign(const connectors::CallContext& context, const connectors::PurchaseRef& ref,
                connectors::Callback<connectors::PurchaseState> done) override {
    OnBooking("reassign", ref, std::move(done), [](Booking&) {});
  }
  void Get(const connectors::CallContext& context, const connectors::PurchaseRef& ref,
           connectors::Callback<connectors::PurchaseState> done) override {
    OnBooking("get", ref, std::move(done), [](Booking&) {});
  }

 private:
  template <typename T>
  static connectors::Outcome<T> Forward(const Scripted& scripted) {
    if (const auto* declined = std::get_if<connectors::Declined>(&scripted)) return *declined;
    return std::get<connectors::Failed>(scripted);
  }
  std::optional<Scripted> Take(const std::string& operation) {
    absl::MutexLock lock(&mutex_);
    calls_.push_back(operation);
    // "book:<order>" scripts one order's booking; "book" any booking.
    for (const std::string& key : {operation, operation.substr(0, operation.find(':'))}) {
      auto it = script_.find(key);
      if (it == script_.end() || it->second.empty()) continue;
      Scripted next = it->second.front();
      it->second.pop_front();
      return next;
    }
    return std::nullopt;
  }
  template <typename Change>
  void OnBooking(const std::string& operation, const connectors::PurchaseRef& ref,
                 connectors::Callback<connectors::PurchaseState> done, Change change) {
    if (auto scripted = Take(absl::StrCat(operation, ":", ref.order_number))) {
      return done(Forward<connectors::PurchaseState>(*scripted));
    }
    absl::MutexLock lock(&mutex_);
    auto it = bookings_.find(ref.order_number);
    if (it == bookings_.end()) {
      return done(connectors::Declined{connectors::DeclineKind::kNotFound, "", "no such purchase"});
    }
    change(it->second);
    const Booking& b = it->second;
    done(connectors::PurchaseState{b.result.vendor_reference, "", b.result.confirmed, b.cancelled,
                                   b.result.earned_centipoints});
  }

  const connectors::Capabilities capabilities_;
  const int64_t earn_percent_;
  absl::Mutex mutex_;
  std::map<std::string, std::deque<Scripted>> script_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, Booking> bookings_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace loyalty::broker::testing
