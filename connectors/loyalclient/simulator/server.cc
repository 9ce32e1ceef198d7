#include "connectors/loyalclient/simulator/server.h"

#include <chrono>
#include <fstream>
#include <stdexcept>

namespace loyalty::simulator::loyalclient {

using nlohmann::json;

LoyalClientSimulator::LoyalClientSimulator(const json& seed) : state_(seed) { RegisterRoutes(); }

LoyalClientSimulator::~LoyalClientSimulator() { Stop(); }

void LoyalClientSimulator::RegisterRoutes() {
  auto route = [this](const char* path, Reply (LoyalClientState::*handler)(const json&)) {
    server_.Post(path, [this, handler](const httplib::Request& req, httplib::Response& res) {
      bool fail_after_apply = false;
      const bool fail = faults_.BeforeRequest(fail_after_apply);
      if (fail && !fail_after_apply) {
        ReplyJson(res, faults_.Describe()["fail_status"].get<int>(), json{{"error", "injected"}});
        return;
      }
      if (!state_.ApiKeyValid(req.get_header_value("apikey"))) {
        ReplyJson(res, 422, json{{"apikey", "Apikey is not valid."}});
        return;
      }
      json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded()) body = json::object();
      Reply reply = (state_.*handler)(body);
      if (fail) {  // applied, but the caller gets an error
        ReplyJson(res, faults_.Describe()["fail_status"].get<int>(), json{{"error", "injected"}});
        return;
      }
      ReplyJson(res, reply.status, reply.body);
    });
  };
  route("/integration/general/client", &LoyalClientState::Client);
  route("/integration/general/recalc", &LoyalClientState::Recalc);
  route("/integration/general/bonuses/hold", &LoyalClientState::Hold);
  route("/integration/general/bonuses/release", &LoyalClientState::Release);
  route("/integration/general/retail", &LoyalClientState::Retail);

  RegisterFaultRoutes(server_, faults_);
  server_.Get(R"(/__sim/clients/([0-9A-Za-z]+))",
              [this](const httplib::Request& req, httplib::Response& res) {
                json client = state_.DescribeClient(req.matches[1]);
                ReplyJson(res, client.is_null() ? 404 : 200, client);
              });
  server_.Post("/__sim/clock", [this](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("advance_seconds") ||
        !body["advance_seconds"].is_number_integer()) {
      ReplyJson(res, 400, json{{"error", "advance_seconds must be an integer"}});
      return;
    }
    state_.AdvanceClock(body["advance_seconds"].get<int64_t>());
    ReplyJson(res, 200, json{{"now", state_.Now()}});
  });
  server_.Get("/__sim/health", [](const httplib::Request&, httplib::Response& res) {
    ReplyJson(res, 200, json{{"status", "ok"}});
  });
}

int LoyalClientSimulator::Start(const std::string& host, int port) {
  const int bound =
      port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
  if (bound < 0) return -1;
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

bool LoyalClientSimulator::Serve(const std::string& host, int port) {
  return server_.listen(host, port);
}

void LoyalClientSimulator::Stop() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

json LoadSeed(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read seed file " + path);
  json seed = json::parse(in, nullptr, false);
  if (seed.is_discarded()) throw std::runtime_error("seed file is not JSON: " + path);
  return seed;
}

}  // namespace loyalty::simulator::loyalclient
