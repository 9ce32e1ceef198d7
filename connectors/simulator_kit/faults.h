#pragma once

// Switchable faults shared by every vendor simulator: added latency, a number
// of failing answers with a chosen status, and hangs. Switched at run time
// through POST /__sim/faults so tests and benchmarks can break a vendor.

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

#include "absl/base/thread_annotations.h"
#include "connectors/simulator_kit/reply.h"

namespace loyalty::simulator {

struct FaultSettings {
  int64_t latency_ms = 0;  // added to every answer
  int64_t fail_count = 0;  // the next N requests fail...
  int fail_status = 503;   // ...with this HTTP status
  int64_t hang_ms = 0;     // the next hang_count requests sleep this long first
  int64_t hang_count = 0;
  // Apply the request, then fail the answer: the vendor acted but the caller
  // cannot know (the case that makes a purchase "in doubt").
  bool fail_after_apply = false;
};

class FaultInjector {
 public:
  // Replaces the settings from a JSON object; unknown keys are an error.
  // Returns an error text, empty on success.
  std::string Configure(const nlohmann::json& settings);
  nlohmann::json Describe() const;

  // Sleeps for latency/hang. Returns true when this request must fail;
  // `after_apply` tells whether to fail after the state change.
  bool BeforeRequest(bool& after_apply);

 private:
  mutable std::mutex mutex_;
  FaultSettings settings_ ABSL_GUARDED_BY(mutex_);
};

// Registers the common admin routes: POST /__sim/faults, GET /__sim/faults.
void RegisterFaultRoutes(httplib::Server& server, FaultInjector& faults);

// Answers with what `apply` replies, under the configured faults: a failing
// request answers fail_status without running `apply`, or after running it
// when fail_after_apply is set (the vendor acted; the caller cannot know).
void AnswerWithFaults(FaultInjector& faults, httplib::Response& response,
                      const std::function<Reply()>& apply);

// Answers with a JSON body.
void ReplyJson(httplib::Response& response, int status, const nlohmann::json& body);

}  // namespace loyalty::simulator
