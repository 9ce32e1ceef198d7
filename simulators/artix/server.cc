#include "simulators/artix/server.h"

namespace loyalty::simulator::artix {

using nlohmann::json;

ArtixSimulator::ArtixSimulator(const json& seed) : state_(seed) { RegisterRoutes(); }

void ArtixSimulator::RegisterRoutes() {
  http().Post("/calculatediscount", [this](const httplib::Request& req, httplib::Response& res) {
    AnswerWithFaults(faults(), req, res, [&]() -> Reply {
      json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded()) {
        return Reply{400, json{{"error", "Bad Request"}, {"message", "the body is not JSON"}}};
      }
      return state_.CalculateDiscount(body);
    });
  });
  http().Get(R"(/__sim/cards/([0-9A-Za-z]+))",
             [this](const httplib::Request& req, httplib::Response& res) {
               json card = state_.DescribeCard(req.matches[1]);
               ReplyJson(res, card.is_null() ? 404 : 200, card);
             });
}

}  // namespace loyalty::simulator::artix
