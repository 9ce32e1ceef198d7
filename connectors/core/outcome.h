#pragma once

// The three outcomes of a vendor call. A connector never reports success
// unless the vendor said so; anything it cannot read is a failure, and a
// failure after the request may have reached the vendor is marked so the
// broker never repeats it blindly.

#include <string>
#include <utility>
#include <variant>

namespace loyalty::connectors {

// Why a vendor said no. The broker maps each kind to one gRPC code.
enum class DeclineKind {
  kNotFound,         // the customer or purchase is unknown to the vendor
  kRefused,          // a business rule (spend too high, points already spent)
  kInvalidArgument,  // the vendor rejected a field of the request
  kUnsupported,      // the vendor cannot do this operation at all
  kMisconfigured,    // the program's own settings or credentials were refused
};

struct Declined {
  DeclineKind kind = DeclineKind::kRefused;
  // The vendor's field or code the refusal is about ("spend", "-3001").
  std::string field;
  // The vendor's own words, safe to show to the store.
  std::string message;
};

// Why the broker kept a call from its vendor (nothing was sent).
enum class HeldBack {
  kNo,           // the call was sent, or failed on its way
  kSwitchedOff,  // an operator switched the program off
  kCircuitOpen,  // the program failed too often in a row and rests
  kBusy,         // the program has as many calls in flight as it may
};

struct Failed {
  // Safe to try again (nothing was applied, or the vendor call is idempotent).
  bool retryable = true;
  // The request may have reached the vendor and been applied: outcome unknown.
  bool maybe_applied = false;
  std::string message;
  HeldBack held_back = HeldBack::kNo;
};

template <typename T>
class Outcome {
 public:
  Outcome(T value) : value_(std::move(value)) {}               // NOLINT: implicit by design
  Outcome(Declined declined) : value_(std::move(declined)) {}  // NOLINT
  Outcome(Failed failed) : value_(std::move(failed)) {}        // NOLINT

  bool approved() const { return std::holds_alternative<T>(value_); }
  bool declined() const { return std::holds_alternative<Declined>(value_); }
  bool failed() const { return std::holds_alternative<Failed>(value_); }

  const T& value() const { return std::get<T>(value_); }
  T& value() { return std::get<T>(value_); }
  const Declined& declined_reason() const { return std::get<Declined>(value_); }
  const Failed& failure() const { return std::get<Failed>(value_); }

  // Carries a decline or failure over to another result type.
  template <typename U>
  Outcome<U> Forward() const {
    if (declined()) return declined_reason();
    return failure();
  }

 private:
  std::variant<T, Declined, Failed> value_;
};

// Label for journals and metrics: "approved", "declined" or "failed".
template <typename T>
const char* OutcomeLabel(const Outcome<T>& outcome) {
  if (outcome.approved()) return "approved";
  return outcome.declined() ? "declined" : "failed";
}

}  // namespace loyalty::connectors
