// Every vendor wire parser on arbitrary bytes, with every status a vendor
// may answer: none may crash, hang, read out of bounds or approve what it
// cannot read; an approved answer holds no negative or absurd figure.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "connectors/artix/wire.h"
#include "connectors/loyalclient/wire.h"
#include "connectors/sailplay/wire.h"

namespace {

using namespace loyalty::connectors;  // NOLINT: a fuzz target's whole world

void Require(bool condition) {
  if (!condition) std::abort();
}

void LoyalClient(int status, std::string_view body) {
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
