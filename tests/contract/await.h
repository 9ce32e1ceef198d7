#pragma once

// Runs one connector call and waits for its outcome: connectors answer on
// the HTTP client's thread.

#include <future>
#include <utility>

#include "connectors/core/outcome.h"

namespace loyalty::contract {

template <typename T, typename Start>
connectors::Outcome<T> Await(Start start) {
  std::promise<connectors::Outcome<T>> promise;
  auto future = promise.get_future();
  start([&promise](connectors::Outcome<T> outcome) { promise.set_value(std::move(outcome)); });
  return future.get();
}

}  // namespace loyalty::contract
