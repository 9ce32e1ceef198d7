#include "simulators/loyalclient/server.h"

namespace loyalty::simulator::loyalclient {

using nlohmann::json;

LoyalClientSimulator::LoyalClientSimulator(const json& seed) : state_(seed) { RegisterRoutes(); }

void LoyalClientSimulator::RegisterRoutes() {
  auto route = [this](const char* path, Reply (LoyalClientState::*handler)(const json&)) {
    http().Post(path, [this, handler](const httplib::Request& req, httplib::Response& res) {
      AnswerWithFaults(faults(), req, res, [&]() -> Reply {
        if (!state_.ApiKeyValid(req.get_header_value("apikey"))) {
          return Reply{422, json{{"apikey", "Apikey is not valid."}}};
        }
        json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
        if (body.is_discarded()) body = json::object();
        return (state_.*handler)(body);
      });
    });
  };
  route("/integration/general/client", &LoyalClientState::Client);
  route("/integration/general/recalc", &LoyalClientState::Recalc);
  route("/integration/general/bonuses/hold", &LoyalClientState::Hold);
  route("/integration/general/bonuses/release", &LoyalClientState::Release);
  route("/integration/general/retail", &LoyalClientState::Retail);

  http().Get(R"(/__sim/clients/([0-9A-Za-z]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               json client = state_.DescribeClient(req.matches[1]);
               ReplyJson(res, client.is_null() ? 404 : 200, client);
             });
  http().Post("/__sim/clock", [this](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("advance_seconds") ||
        !body["advance_seconds"].is_number_integer()) {
      ReplyJson(res, 400, json{{"error", "advance_seconds must be an integer"}});
      return;
    }
    state_.AdvanceClock(body["advance_seconds"].get<int64_t>());
    ReplyJson(res, 200, json{{"now", state_.Now()}});
  });
}

}  // namespace loyalty::simulator::loyalclient
