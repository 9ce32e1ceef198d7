#pragma once

// Switchable faults shared by every vendor simulator: added latency, a number
// of failing answers with a chosen status, and hangs. Switched at run time
// through POST /__sim/faults so tests and benchmarks can break a vendor.

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "simulators/kit/reply.h"

namespace loyalty::simulator {

struct FaultSettings {
  int64_t latency_ms = 0;    // added to every answer...
  std::string latency_path;  // ...or only to requests to this path, when set
  int64_t fail_count = 0;    // the next N requests fail...
  int fail_status = 503;     // ...with this HTTP status
  int64_t hang_ms = 0;       // the next hang_count requests sleep this long first
  int64_t hang_count = 0;
  // Apply the request, then fail the answer: the vendor acted but the caller
  // cannot know (the case that makes a purchase "in doubt").
  bool fail_after_apply = false;
  // The next N requests are applied, then their connection is closed with
  // no answer at all: what a vendor that crashes after acting looks like.
  int64_t drop_count = 0;
  std::string drop_path;  // only requests to this path, when set
  // Every answer gets this many spaces after its JSON (still valid JSON):
  // what a vendor answering megabytes looks like.
  int64_t pad_bytes = 0;
};

class FaultInjector {
 public:
  // Replaces the settings from a JSON object; unknown keys are an error.
  // Returns an error text, empty on success.
  std::string Configure(const nlohmann::json& settings);
  nlohmann::json Describe() const;

  // Sleeps for latency/hang. Returns true when this request must fail;
  // `after_apply` tells whether to fail after the state change.
  bool BeforeRequest(const std::string& path, bool& after_apply);
  // True when this request's connection is to be dropped after it is applied.
  bool TakeDrop(const std::string& path);
  int64_t PadBytes() const;

  // Every vendor request served, by path: tests check that a request that
  // changes state arrived exactly once.
  void CountRequest(const std::string& path);
  nlohmann::json RequestCounts() const;

 private:
  mutable absl::Mutex mutex_;
  FaultSettings settings_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, int64_t> requests_ ABSL_GUARDED_BY(mutex_);
};

// Registers the common admin routes: POST /__sim/faults, GET /__sim/faults,
// GET /__sim/requests (counts by path).
void RegisterFaultRoutes(httplib::Server& server, FaultInjector& faults);

// Answers with what `apply` replies, under the configured faults: a failing
// request answers fail_status without running `apply`, or after running it
// when fail_after_apply is set (the vendor acted; the caller cannot know).
void AnswerWithFaults(FaultInjector& faults, const httplib::Request& request,
                      httplib::Response& response, const std::function<Reply()>& apply);

// Closes the connection `request` came on, with nothing written back.
void DropConnection(const httplib::Request& request);

// Answers with a JSON body.
void ReplyJson(httplib::Response& response, int status, const nlohmann::json& body);

}  // namespace loyalty::simulator
