#pragma once

// Follows PostgreSQL's announcements of changed stores (LISTEN on the
// channel migration 0008's triggers notify) on a connection of its own and
// tells the store directory to forget what it cached of each. Reconnects by
// itself; while it is not connected the directory trusts no cached entry.

#include <atomic>
#include <string>
#include <thread>

#include "broker/storage/pg_store_directory.h"

namespace loyalty::broker {

class StoreChangeListener {
 public:
  StoreChangeListener(std::string conninfo, PgStoreDirectory& directory);
  ~StoreChangeListener();
  StoreChangeListener(const StoreChangeListener&) = delete;
  StoreChangeListener& operator=(const StoreChangeListener&) = delete;

  void Start();

 private:
  void Listen();

  const std::string conninfo_;
  PgStoreDirectory& directory_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace loyalty::broker
