#include "broker/api/validation.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/common/error_reasons.h"

namespace loyalty::broker {
namespace {

constexpr size_t kMaxIdLength = 128;
constexpr int kMaxLines = 1000;
constexpr int kMaxCoupons = 100;
constexpr int64_t kMaxQuantityMilli = 1'000'000'000;       // a million units
constexpr int64_t kMaxUnitPriceMinor = 1'000'000'000'000;  // ten billion in major units
constexpr int kMaxHoldTtlSeconds = 24 * 3600;
// Any amount of money or points: a line, a cart, a spend. Keeps every sum
// the broker makes (at most kMaxLines lines, a few programs) far inside
// 64 bits.
constexpr int64_t kMaxAmountMinor = 1'000'000'000'000'000;  // ten trillion in major units
constexpr int kMaxSpendPrograms = 16;
constexpr int kMaxHolds = 16;

// Every problem of a request, so the integrator fixes them in one round.
class Violations {
 public:
  void Add(std::string field, std::string problem) {
    found_.push_back({std::move(field), std::move(problem)});
  }
  absl::Status Result() const { return found_.empty() ? absl::OkStatus() : InvalidFields(found_); }

 private:
  std::vector<FieldViolation> found_;
};

void CheckId(Violations& v, const std::string& field, const std::string& value) {
  if (value.empty()) return v.Add(field, "is required");
  if (value.size() > kMaxIdLength) return v.Add(field, absl::StrCat("longer than ", kMaxIdLength));
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7F) return v.Add(field, "contains control characters");
  }
}

void CheckCustomer(Violations& v, const std::string& field,
                   const v1::CustomerIdentifier& customer) {
  switch (customer.kind_case()) {
    case v1::CustomerIdentifier::kPhone: {
      const std::string& phone = customer.phone();
      if (phone.size() < 10 || phone.size() > 15) {
        return v.Add(field + ".phone", "must have 10 to 15 digits");
      }
      for (char c : phone) {
        if (c < '0' || c > '9') return v.Add(field + ".phone", "digits only");
      }
      return;
    }
    case v1::CustomerIdentifier::kCard:
      return CheckId(v, field + ".card", customer.card());
    case v1::CustomerIdentifier::kAppCode:
      return CheckId(v, field + ".app_code", customer.app_code());
    case v1::CustomerIdentifier::kEmail:
      if (customer.email().find('@') == std::string::npos) {
        return v.Add(field + ".email", "not an e-mail address");
      }
      return CheckId(v, field + ".email", customer.email());
    case v1::CustomerIdentifier::kExternalId:
      return CheckId(v, field + ".external_id", customer.external_id());
    case v1::CustomerIdentifier::KIND_NOT_SET:
      break;
  }
  v.Add(field, "one of phone, card, app_code, email or external_id is required");
}

void CheckLine(Violations& v, const std::string& field, const v1::CartLine& line) {
  if (line.line_no() <= 0) v.Add(field + ".line_no", "must be positive");
  CheckId(v, field + ".sku", line.sku());
  if (line.barcode().size() > kMaxIdLength) {
    v.Add(field + ".barcode", absl::StrCat("longer than ", kMaxIdLength));
  }
  if (line.barcode().find('\0') != std::string::npos) {
    v.Add(field + ".barcode", "contains control characters");
  }
  if (line.quantity_milli() <= 0) v.Add(field + ".quantity_milli", "must be positive");
  if (line.quantity_milli() > kMaxQuantityMilli) v.Add(field + ".quantity_milli", "too large");
  if (line.unit_price_minor() <= 0) v.Add(field + ".unit_price_minor", "must be positive");
  if (line.unit_price_minor() > kMaxUnitPriceMinor) {
    v.Add(field + ".unit_price_minor", "too large");
  }
  if (line.min_unit_price_minor() < 0) {
    v.Add(field + ".min_unit_price_minor", "must not be negative");
  } else if (line.unit_price_minor() > 0 && line.min_unit_price_minor() > line.unit_price_minor()) {
    v.Add(field + ".min_unit_price_minor", "is above unit_price_minor");
  }
}

}  // namespace

absl::Status Validate(const v1::IdentifyCustomerRequest& request) {
  Violations v;
  if (!request.has_customer()) {
    v.Add("customer", "is required");
  } else {
    CheckCustomer(v, "customer", request.customer());
  }
  return v.Result();
}

absl::Status Validate(const v1::QuoteCartRequest& request) {
  Violations v;
  if (request.has_customer()) CheckCustomer(v, "customer", request.customer());
  if (request.lines_size() == 0) v.Add("lines", "the cart is empty");
  if (request.lines_size() > kMaxLines) {
    v.Add("lines", absl::StrCat("more than ", kMaxLines));
    return v.Result();  // not worth reading further
  }
  std::set<int32_t> seen;
  __int128 cart_total = 0;
  for (int i = 0; i < request.lines_size(); ++i) {
    const auto& line = request.lines(i);
    const std::string field = absl::StrCat("lines[", i, "]");
    CheckLine(v, field, line);
    if (line.line_no() > 0 && !seen.insert(line.line_no()).second) {
      v.Add(field + ".line_no", "repeats another line");
    }
    if (line.quantity_milli() <= 0 || line.unit_price_minor() <= 0) continue;
    const __int128 line_total =
        static_cast<__int128>(line.unit_price_minor()) * line.quantity_milli() / 1000;
    if (line_total > kMaxAmountMinor) {
      v.Add(field, absl::StrCat("unit_price_minor x quantity exceeds ", kMaxAmountMinor));
    }
    cart_total += line_total;
  }
  if (cart_total > kMaxAmountMinor) {
    v.Add("lines", absl::StrCat("the cart's total exceeds ", kMaxAmountMinor));
  }
  if (request.coupons_size() > kMaxCoupons) {
    v.Add("coupons", absl::StrCat("more than ", kMaxCoupons));
    return v.Result();
  }
  for (int i = 0; i < request.coupons_size(); ++i) {
    CheckId(v, absl::StrCat("coupons[", i, "]"), request.coupons(i));
  }
  return v.Result();
}

absl::Status Validate(const v1::HoldPointsRequest& request) {
  Violations v;
  CheckId(v, "quote_id", request.quote_id());
  CheckId(v, "program", request.program());
  if (request.amount_centipoints() <= 0) {
    v.Add("amount_centipoints", "must be positive");
  } else if (request.amount_centipoints() > kMaxAmountMinor) {
    v.Add("amount_centipoints", absl::StrCat("exceeds ", kMaxAmountMinor));
  }
  if (request.ttl_seconds() < 0 || request.ttl_seconds() > kMaxHoldTtlSeconds) {
    v.Add("ttl_seconds", absl::StrCat("must be between 0 and ", kMaxHoldTtlSeconds));
  }
  return v.Result();
}

absl::Status Validate(const v1::ReleaseHoldRequest& request) {
  Violations v;
  CheckId(v, "hold_id", request.hold_id());
  return v.Result();
}

absl::Status Validate(const v1::CommitPurchaseRequest& request) {
  Violations v;
  CheckId(v, "idempotency_key", request.idempotency_key());
  CheckId(v, "order_number", request.order_number());
  CheckId(v, "quote_id", request.quote_id());
  if (request.spend_size() > kMaxSpendPrograms) {
    v.Add("spend", absl::StrCat("more than ", kMaxSpendPrograms, " programs"));
  } else {
    std::set<std::string> programs;
    for (int i = 0; i < request.spend_size(); ++i) {
      const std::string field = absl::StrCat("spend[", i, "]");
      CheckId(v, field + ".program", request.spend(i).program());
      if (!programs.insert(request.spend(i).program()).second) {
        v.Add(field + ".program", "appears twice");
      }
      if (request.spend(i).amount_centipoints() <= 0) {
        v.Add(field + ".amount_centipoints", "must be positive");
      } else if (request.spend(i).amount_centipoints() > kMaxAmountMinor) {
        v.Add(field + ".amount_centipoints", absl::StrCat("exceeds ", kMaxAmountMinor));
      }
    }
  }
  if (request.hold_ids_size() > kMaxHolds) {
    v.Add("hold_ids", absl::StrCat("more than ", kMaxHolds));
  } else {
    for (int i = 0; i < request.hold_ids_size(); ++i) {
      CheckId(v, absl::StrCat("hold_ids[", i, "]"), request.hold_ids(i));
    }
  }
  return v.Result();
}

absl::Status Validate(const v1::PurchaseByOrderRequest& request) {
  Violations v;
  CheckId(v, "order_number", request.order_number());
  return v.Result();
}

absl::Status Validate(const v1::ReassignPurchaseRequest& request) {
  Violations v;
  CheckId(v, "order_number", request.order_number());
  if (!request.has_customer()) {
    v.Add("customer", "is required");
  } else {
    CheckCustomer(v, "customer", request.customer());
  }
  return v.Result();
}

}  // namespace loyalty::broker
