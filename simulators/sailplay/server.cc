#include "simulators/sailplay/server.h"

#include "absl/strings/numbers.h"

namespace loyalty::simulator::sailplay {

using nlohmann::json;

SailPlaySimulator::SailPlaySimulator(const json& seed) : state_(seed) { RegisterRoutes(); }

void SailPlaySimulator::RegisterRoutes() {
  auto route = [this](const char* path, Reply (SailPlayState::*handler)(const Params&)) {
    auto serve = [this, handler](const httplib::Request& req, httplib::Response& res) {
      AnswerWithFaults(faults(), req, res, [&]() { return (state_.*handler)(req.params); });
    };
    http().Get(path, serve);
    http().Post(path, serve);
  };
  route("/api/v2/login/", &SailPlayState::Login);
  route("/api/v2/users/info/", &SailPlayState::UserInfo);
  route("/api/v2/marketing-actions/calc/", &SailPlayState::Calc);
  route("/api/v2/purchases/new/", &SailPlayState::NewPurchase);
  route("/api/v2/purchases/confirm/", &SailPlayState::Confirm);
  route("/api/v1/purchases/delete/", &SailPlayState::Delete);
  route("/api/v2/purchases/restore", &SailPlayState::Restore);
  route("/api/v2/purchases/restore/", &SailPlayState::Restore);
  route("/api/v1/purchases/edit/", &SailPlayState::EditUser);
  route("/api/v2/purchases/edit/", &SailPlayState::EditCart);
  route("/api/v2/purchases/get/", &SailPlayState::GetPurchase);

  http().Get(
      R"(/__sim/users/([0-9]+))", [this](const httplib::Request& req, httplib::Response& res) {
        int64_t id = 0;
        json user = absl::SimpleAtoi(req.matches[1].str(), &id) ? state_.DescribeUser(id) : json();
        ReplyJson(res, user.is_null() ? 404 : 200, user);
      });
  http().Post("/__sim/tokens/revoke", [this](const httplib::Request&, httplib::Response& res) {
    state_.RevokeTokens();
    ReplyJson(res, 200, json{{"revoked", true}});
  });
}

}  // namespace loyalty::simulator::sailplay
