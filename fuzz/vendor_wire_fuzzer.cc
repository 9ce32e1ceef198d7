// Every vendor wire parser on arbitrary bytes, with every status a vendor
// may answer: none may crash, hang, read out of bounds or approve what it
// cannot read; an approved answer holds no negative or absurd figure; and
// LoyalClient's answers read in place come out as read through the tree.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connectors/artix/wire.h"
#include "connectors/loyalclient/wire.h"
#include "connectors/sailplay/wire.h"

namespace {

using namespace loyalty::connectors;  // NOLINT: a fuzz target's whole world

void Require(bool condition) {
  if (!condition) std::abort();
}

// Every field of an outcome, to compare two readings of one answer.
std::string Fields(const Declined& d) {
  return std::to_string(static_cast<int>(d.kind)) + "|" + d.field + "|" + d.message;
}
std::string Fields(const Failed& f) {
  return std::to_string(f.retryable) + std::to_string(f.maybe_applied) + "|" + f.message;
}
std::string Fields(const Account& a) {
  return a.vendor_customer_id + "|" + a.name + "|" + a.level.id + "|" + a.level.title + "|" +
         std::to_string(static_cast<int>(a.level.type)) + "|" + std::to_string(a.level.percent_bp) +
         "|" + std::to_string(a.level.max_spend_percent_bp) + "|" +
         std::to_string(a.balance_centipoints);
}
std::string Fields(const loyalclient::Recalc& r) {
  return std::to_string(r.amount_minor) + "|" + std::to_string(r.percent_bp) + "|" +
         std::to_string(static_cast<int>(r.type)) + "|" + std::to_string(r.spend_centipoints) +
         "|" + std::to_string(r.earn_centipoints);
}
std::string Fields(const loyalclient::Retail& r) {
  return std::to_string(r.amount_minor) + "|" + std::to_string(r.total_minor) + "|" +
         std::to_string(r.spent_centipoints) + "|" + std::to_string(r.earned_centipoints);
}
template <typename T>
std::string Fields(const Outcome<T>& o) {
  if (o.approved()) return "approved|" + Fields(o.value());
  if (o.declined()) return "declined|" + Fields(o.declined_reason());
  return "failed|" + Fields(o.failure());
}

// The in-place reading and the tree's agree on every answer, field by field.
void LoyalClientReadersAgree(int status, std::string_view body) {
  Require(Fields(loyalclient::ParseClient(status, body)) ==
          Fields(loyalclient::reference::ParseClient(status, body)));
  Require(Fields(loyalclient::ParseRecalc(status, body)) ==
          Fields(loyalclient::reference::ParseRecalc(status, body)));
  Require(Fields(loyalclient::ParseRetail(status, body)) ==
          Fields(loyalclient::reference::ParseRetail(status, body)));
}

void LoyalClient(int status, std::string_view body) {
  LoyalClientReadersAgree(status, body);
  if (auto r = loyalclient::ParseClient(status, body); r.approved()) {
    Require(!r.value().vendor_customer_id.empty());
  }
  loyalclient::ParseRecalc(status, body);
  loyalclient::ParseHold(status, body);
  loyalclient::ParseRelease(status, body);
  if (auto r = loyalclient::ParseRetail(status, body); r.approved()) {
    Require(r.value().spent_centipoints >= 0 && r.value().earned_centipoints >= 0);
  }
}

void SailPlay(int status, std::string_view body) {
  sailplay::ParseLogin(status, body);
  sailplay::ParseUserInfo(status, body);
  if (auto r = sailplay::ParseCalc(status, body); r.approved()) {
    for (const auto& p : r.value().positions) Require(p.new_price_minor <= p.price_minor);
  }
  sailplay::ParsePurchase(status, body);
  sailplay::ParseDelete(status, body);
  sailplay::ParseEditUser(status, body);
  sailplay::IsTokenRefusal(body);
}

void Artix(int status, std::string_view body) {
  artix::CheckRequest check;
  check.cash_code = "1";
  check.shop_code = "1";
  check.identifier = "fuzz";
  Line line;
  line.line_no = 1;
  line.sku = "A";
  line.quantity_milli = 1000;
  line.unit_price_minor = 10000;
  check.lines = {line};
  artix::ParseCalculateDiscount(status, body, check);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (int status : {200, 422, 500}) {
    LoyalClient(status, body);
    SailPlay(status, body);
    Artix(status, body);
  }
  return 0;
}
