#pragma once

// SailPlay tokens, one per program, shared by every call of that program.
// A token lives until the vendor refuses it; then the connector logs in
// again and replaces it here.

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace loyalty::connectors::sailplay {

class TokenCache {
 public:
  // The program's token, or "" when it has none yet.
  std::string Get(int64_t program_id) const;
  void Put(int64_t program_id, std::string token);
  // Forgets `token` unless another call has replaced it meanwhile.
  void Drop(int64_t program_id, const std::string& token);

 private:
  mutable absl::Mutex mutex_;
  std::map<int64_t, std::string> tokens_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace loyalty::connectors::sailplay
