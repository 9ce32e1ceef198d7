#include "simulators/loyalclient/state.h"

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "connectors/core/decimal.h"
#include "simulators/kit/seed.h"

namespace loyalty::simulator::loyalclient {
namespace {

using connectors::FormatDecimal;
using connectors::JsonToUnits;
using nlohmann::json;

constexpr int64_t kMaxHoldMinutes = 10;

Reply Error(const std::string& field, const std::string& message) {
  return Reply{422, json{{field, message}}};
}

// Reads a money or points field of a request: a JSON number, hundredths.
bool RequestUnits(const json& request, const char* name, int64_t& out) {
  if (!request.contains(name) || !request.at(name).is_number()) return false;
  auto units = JsonToUnits(request.at(name), 2);
  if (!units.ok()) return false;
  out = *units;
  return true;
}

// Whole points as the vendor shows them: 878, or 12.5 when fractional.
json Points(int64_t centipoints) {
  if (centipoints % 100 == 0) return json(centipoints / 100);
  return json::parse(FormatDecimal(centipoints, 2));
}

}  // namespace

LoyalClientState::LoyalClientState(const json& seed) {
  if (!seed.is_object()) throw std::invalid_argument("seed must be a JSON object");
  for (const auto& key : seed.value("apikeys", json::array()))
    api_keys_.push_back(key.get<std::string>());
  for (const auto& point : seed.value("points", json::array()))
    points_.push_back(SeedText(point, "id"));
  for (const auto& l : seed.value("levels", json::array())) {
    Level level{SeedText(l, "id"), SeedText(l, "title"), SeedText(l, "type"),
                SeedUnits(l, "percent", 2), SeedUnits(l, "maxSpendPercent", 2)};
    if (level.type != "cashback" && level.type != "discount") {
      throw std::invalid_argument("seed: level type must be cashback or discount");
    }
    levels_[level.id] = level;
  }
  for (const auto& c : seed.value("clients", json::array())) {
    ClientRecord client;
    client.id = SeedText(c, "id");
    client.name = SeedOptionalText(c, "name");
    client.birthday = SeedOptionalText(c, "birthday");
    client.email = SeedOptionalText(c, "email");
    client.card = SeedOptionalText(c, "card");
    client.app_code = SeedOptionalText(c, "app_code");
    client.photo = SeedOptionalText(c, "photo");
    client.phone = c.value("phone", int64_t{0});
    client.level_id = SeedText(c, "level");
    if (!levels_.count(client.level_id))
      throw std::invalid_argument("seed: unknown level " + client.level_id);
    client.balance_centipoints = SeedUnits(c, "balance", 2);
    clients_[client.id] = client;
  }
}

bool LoyalClientState::ApiKeyValid(const std::string& apikey) const {
  return std::find(api_keys_.begin(), api_keys_.end(), apikey) != api_keys_.end();
}

int64_t LoyalClientState::Now() const {
  absl::MutexLock lock(&mutex_);
  return absl::ToUnixSeconds(absl::Now()) + clock_offset_seconds_;
}

void LoyalClientState::AdvanceClock(int64_t seconds) {
  absl::MutexLock lock(&mutex_);
  clock_offset_seconds_ += seconds;
}

void LoyalClientState::ExpireHolds() {
  const int64_t now = absl::ToUnixSeconds(absl::Now()) + clock_offset_seconds_;
  holds_.erase(std::remove_if(holds_.begin(), holds_.end(),
                              [now](const HoldEntry& h) { return h.until <= now; }),
               holds_.end());
}

const LoyalClientState::Level& LoyalClientState::LevelOf(const ClientRecord& client) const {
  return levels_.at(client.level_id);
}

LoyalClientState::ClientRecord* LoyalClientState::FindClient(const json& request, Reply& error) {
  if (!request.is_object()) {
    error = Error("client", "Client not found.");
    return nullptr;
  }
  const std::string point = request.contains("point") && request["point"].is_string()
                                ? request["point"].get<std::string>()
                                : "";
  if (std::find(points_.begin(), points_.end(), point) == points_.end()) {
    error = Error("point", "Point not found.");
    return nullptr;
  }
  const std::string id = request.contains("client") && request["client"].is_string()
                             ? request["client"].get<std::string>()
                             : "";
  auto it = clients_.find(id);
  if (it == clients_.end()) {
    error = Error("client", "Client not found.");
    return nullptr;
  }
  return &it->second;
}

void LoyalClientState::ReleaseHoldsAt(const std::string& client, const std::string& point) {
  holds_.erase(
      std::remove_if(holds_.begin(), holds_.end(),
                     [&](const HoldEntry& h) { return h.client == client && h.point == point; }),
      holds_.end());
}

int64_t LoyalClientState::HeldElsewhere(const std::string& client, const std::string& point) const {
  int64_t held = 0;
  for (const auto& h : holds_) {
    if (h.client == client && h.point != point) held += h.amount_centipoints;
  }
  return held;
}

int64_t LoyalClientState::SpendCap(const ClientRecord& client, const std::string& point,
                                   int64_t amount_minor) const {
  const Level& level = LevelOf(client);
  if (level.type != "cashback") return 0;
  const int64_t by_percent =
      connectors::MulDivFloor(amount_minor, level.max_spend_percent_bp, 10000);
  const int64_t available = client.balance_centipoints - HeldElsewhere(client.id, point);
  const int64_t cap = std::max<int64_t>(0, std::min(by_percent, available));
  return cap / 100 * 100;  // whole points only
}

int64_t LoyalClientState::Earn(const ClientRecord& client, int64_t amount_minor) const {
  const Level& level = LevelOf(client);
  if (level.type != "cashback") return 0;
  // 1 point per ruble of cashback, whole points, rounded down.
  return connectors::MulDivFloor(amount_minor, level.percent_bp, 10000) / 100 * 100;
}

Reply LoyalClientState::Client(const json& request) {
  absl::MutexLock lock(&mutex_);
  const std::string point =
      request.is_object() && request.contains("point") && request["point"].is_string()
          ? request["point"].get<std::string>()
          : "";
  if (std::find(points_.begin(), points_.end(), point) == points_.end()) {
    return Error("point", "Point not found.");
  }
  if (!request.contains("search") || !request["search"].is_string()) {
    return Error("search", "Search is required.");
  }
  const std::string search = request["search"].get<std::string>();
  ExpireHolds();
  for (const auto& [id, c] : clients_) {
    const bool match = (!search.empty() && (search == std::to_string(c.phone) || search == c.card ||
                                            search == c.app_code));
    if (!match) continue;
    const Level& level = LevelOf(c);
    json level_json{{"id", level.id},
                    {"title", level.title},
                    {"percent", Points(level.percent_bp)},
                    {"type", level.type}};
    if (level.type == "cashback")
      level_json["maxSpendPercent"] = Points(level.max_spend_percent_bp);
    json client{{"id", c.id},
                {"name", c.name},
                {"photo", c.photo},
                {"birthday", c.birthday},
                {"level", level_json},
                {"phone", c.phone},
                {"email", c.email},
                {"balance", Points(level.type == "cashback" ? c.balance_centipoints : 0)}};
    return Reply{200, json{{"success", true}, {"client", client}}};
  }
  return Error("client", "Client not found.");
}

Reply LoyalClientState::Recalc(const json& request) {
  absl::MutexLock lock(&mutex_);
  ExpireHolds();
  Reply error;
  ClientRecord* client = FindClient(request, error);
  if (client == nullptr) return error;
  int64_t amount = 0;
  if (!RequestUnits(request, "amount", amount) || amount <= 0) {
    return Error("amount", "Amount must be a positive number.");
  }
  const Level& level = LevelOf(*client);
  const std::string point = request["point"].get<std::string>();
  json recalc{{"amount", Points(amount)},
              {"percent", Points(level.percent_bp)},
              {"type", level.type},
              {"spend", Points(SpendCap(*client, point, amount))},
              {"earn", Points(Earn(*client, amount))}};
  return Reply{200, json{{"success", true}, {"recalc", recalc}}};
}

Reply LoyalClientState::Hold(const json& request) {
  absl::MutexLock lock(&mutex_);
  ExpireHolds();
  Reply error;
  ClientRecord* client = FindClient(request, error);
  if (client == nullptr) return error;
  int64_t amount = 0;
  if (!RequestUnits(request, "amount", amount) || amount <= 0) {
    return Error("amount", "Amount must be a positive number.");
  }
  int64_t minutes = kMaxHoldMinutes;
  if (request.contains("duration")) {
    if (!request["duration"].is_number_integer() || request["duration"].get<int64_t>() <= 0) {
      return Error("duration", "Duration must be a positive number of minutes.");
    }
    minutes = request["duration"].get<int64_t>();
    if (minutes > kMaxHoldMinutes) return Error("duration", "Duration can't be more than 10.");
  }
  const std::string point = request["point"].get<std::string>();
  int64_t held = 0;
  for (const auto& h : holds_) {
    if (h.client == client->id) held += h.amount_centipoints;
  }
  const int64_t available = client->balance_centipoints - held;
  if (amount > available) {
    return Error("amount", absl::StrCat("Hold can't be more ",
                                        FormatDecimal(std::max<int64_t>(available, 0), 2)));
  }
  const int64_t until = absl::ToUnixSeconds(absl::Now()) + clock_offset_seconds_ + minutes * 60;
  holds_.push_back(HoldEntry{client->id, point, amount, until});
  return Reply{
      200, json{{"success", true}, {"held", json{{"until", until}, {"amount", Points(amount)}}}}};
}

Reply LoyalClientState::Release(const json& request) {
  absl::MutexLock lock(&mutex_);
  Reply error;
  ClientRecord* client = FindClient(request, error);
  if (client == nullptr) return error;
  const std::string point = request["point"].get<std::string>();
  ReleaseHoldsAt(client->id, point);
  return Reply{200, json{{"success", true}}};
}

Reply LoyalClientState::Retail(const json& request) {
  absl::MutexLock lock(&mutex_);
  ExpireHolds();
  Reply error;
  ClientRecord* client = FindClient(request, error);
  if (client == nullptr) return error;
  int64_t amount = 0;
  if (!RequestUnits(request, "amount", amount) || amount <= 0) {
    return Error("amount", "Amount must be a positive number.");
  }
  int64_t spend = 0;
  if (request.contains("spend") && (!RequestUnits(request, "spend", spend) || spend < 0)) {
    return Error("spend", "Spend must be a number.");
  }
  const std::string point = request["point"].get<std::string>();
  // A new operation at this point releases the client's holds here.
  ReleaseHoldsAt(client->id, point);
  const Level& level = LevelOf(*client);
  const int64_t cap = SpendCap(*client, point, amount);
  if (spend > cap)
    return Error("spend", absl::StrCat("Spend can't be more ", FormatDecimal(cap, 2)));
  json retail{
      {"amount", Points(amount)}, {"percent", Points(level.percent_bp)}, {"type", level.type}};
  Operation op{client->id, point, amount, spend, 0};
  if (level.type == "discount") {
    const int64_t discount = connectors::MulDivRound(amount, level.percent_bp, 10000);
    retail["total"] = Points(amount - discount);
  } else if (spend > 0) {
    client->balance_centipoints -= spend;
    retail["total"] = Points(amount - spend);
    retail["spend"] = Points(spend);
  } else {
    op.earned_centipoints = Earn(*client, amount);
    client->balance_centipoints += op.earned_centipoints;
    retail["total"] = Points(amount);
    retail["earn"] = Points(op.earned_centipoints);
  }
  operations_.push_back(op);
  return Reply{200, json{{"success", true}, {"retail", retail}}};
}

json LoyalClientState::DescribeClient(const std::string& id) {
  absl::MutexLock lock(&mutex_);
  ExpireHolds();
  auto it = clients_.find(id);
  if (it == clients_.end()) return nullptr;
  int64_t held = 0;
  for (const auto& h : holds_) {
    if (h.client == id) held += h.amount_centipoints;
  }
  int64_t retail_count = 0;
  json amounts = json::array();
  json operations = json::array();
  for (const auto& op : operations_) {
    if (op.client != id) continue;
    ++retail_count;
    amounts.push_back(op.amount_minor);
    operations.push_back({{"point", op.point},
                          {"amount_minor", op.amount_minor},
                          {"spent_centipoints", op.spent_centipoints},
                          {"earned_centipoints", op.earned_centipoints}});
  }
  return json{{"id", id},
              {"balance_centipoints", it->second.balance_centipoints},
              {"held_centipoints", held},
              {"retail_operations", retail_count},
              {"retail_amounts_minor", amounts},
              {"retail", operations}};
}

}  // namespace loyalty::simulator::loyalclient
