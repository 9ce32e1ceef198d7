// What the connectors build from till input: query strings, SailPlay carts
// and promocodes, LoyalClient bodies, the Artix check. Whatever the text, a
// JSON body parses back holding the same values, and a query string holds
// no byte outside the URL's unreserved set and '%', '&', '='.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "connectors/artix/wire.h"
#include "connectors/http/query.h"
#include "connectors/loyalclient/wire.h"
#include "connectors/sailplay/wire.h"

namespace {

using namespace loyalty::connectors;  // NOLINT: a fuzz target's whole world

void Require(bool condition) {
  if (!condition) std::abort();
}

nlohmann::json Parsed(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  Require(!parsed.is_discarded());
  return parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  // Only what validation lets through reaches a builder: UTF-8 text.
  if (nlohmann::json(input).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) !=
      nlohmann::json(input).dump(-1, ' ', false, nlohmann::json::error_handler_t::ignore)) {
    return 0;
  }
  const std::string query = QueryString({{"sku", input}, {input, "1"}});
  for (unsigned char c : query) {
    Require(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '%' ||
            c == '&' || c == '=');
  }
  sailplay::CartPosition position;
  position.num = 1;
  position.sku = input;
  position.price_minor = 12345;
  position.quantity_milli = 1500;
  Require(Parsed(sailplay::CartJson({position}))["1"]["sku"] == input);
  Require(Parsed(sailplay::PromocodesJson({input}))[0] == input);
  Require(Parsed(loyalclient::ClientBody(input, "p"))["search"] == input);
  artix::CheckRequest check;
  check.cash_code = "1";
  check.shop_code = "1";
  check.identifier = "fuzz";
  check.coupons = {input};
  Line line;
  line.line_no = 1;
  line.sku = input;
  line.quantity_milli = 1000;
  line.unit_price_minor = 100;
  check.lines = {line};
  Parsed(artix::CalculateDiscountBody(check));
  return 0;
}
