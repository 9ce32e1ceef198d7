#include "broker/storage/store_change_listener.h"

#include <pqxx/pqxx>

#include "broker/common/logging.h"

namespace loyalty::broker {
namespace {

constexpr char kChannel[] = "loyalty_store_changed";

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& connection, PgStoreDirectory& directory)
      : pqxx::notification_receiver(connection, kChannel), directory_(directory) {}
  void operator()(const std::string& store_id, int) override { directory_.Forget(store_id); }

 private:
  PgStoreDirectory& directory_;
};

}  // namespace

StoreChangeListener::StoreChangeListener(std::string conninfo, PgStoreDirectory& directory)
    : conninfo_(WithConnectTimeout(conninfo, 2)), directory_(directory) {}

StoreChangeListener::~StoreChangeListener() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void StoreChangeListener::Start() {
  directory_.SetListening(false);  // until the first LISTEN is in place
  thread_ = std::thread([this] { Listen(); });
}

void StoreChangeListener::Listen() {
  while (!stopping_) {
    try {
      pqxx::connection connection(conninfo_);
      Receiver receiver(connection, directory_);
      connection.get_notifs();  // LISTEN is sent now
      directory_.SetListening(true);
      Log(LogLevel::kInfo, "store_changes_followed", {});
      // Short waits, so that a stop is seen within a quarter second.
      while (!stopping_) connection.await_notification(0, 250000);
    } catch (const std::exception& e) {
      directory_.SetListening(false);
      Log(LogLevel::kError, "store_changes_lost", {{"error", e.what()}});
      for (int i = 0; i < 4 && !stopping_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    }
  }
}

}  // namespace loyalty::broker
