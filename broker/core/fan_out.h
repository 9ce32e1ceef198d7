#pragma once

// The stop flag of a fan-out (ProgramCalls::FanOut): its calls are told to
// stop when the caller goes away or the fan-out ends early.

#include <atomic>
#include <functional>
#include <memory>
#include <utility>

namespace loyalty::broker {

// The cancellation flag of a fan-out: true once the caller has gone away, or
// once the fan-out itself stops (this object is destroyed). Declare it after
// the calls it serves, so that it is destroyed first: the calls' destructors
// then wait only for vendor calls already told to stop.
class FanOutStop {
 public:
  explicit FanOutStop(std::function<bool()> caller) : caller_(std::move(caller)) {}
  ~FanOutStop() { stopped_->store(true); }
  FanOutStop(const FanOutStop&) = delete;
  FanOutStop& operator=(const FanOutStop&) = delete;

  std::function<bool()> Flag() const {
    return
        [stopped = stopped_, caller = caller_] { return stopped->load() || (caller && caller()); };
  }

 private:
  std::shared_ptr<std::atomic<bool>> stopped_ = std::make_shared<std::atomic<bool>>(false);
  std::function<bool()> caller_;
};

}  // namespace loyalty::broker
