#include "connectors/sailplay/token_cache.h"

namespace loyalty::connectors::sailplay {

std::string TokenCache::Get(int64_t program_id) const {
  absl::MutexLock lock(&mutex_);
  auto it = tokens_.find(program_id);
  return it == tokens_.end() ? std::string() : it->second;
}

void TokenCache::Put(int64_t program_id, std::string token) {
  absl::MutexLock lock(&mutex_);
  tokens_[program_id] = std::move(token);
}

void TokenCache::Drop(int64_t program_id, const std::string& token) {
  absl::MutexLock lock(&mutex_);
  auto it = tokens_.find(program_id);
  if (it != tokens_.end() && it->second == token) tokens_.erase(it);
}

}  // namespace loyalty::connectors::sailplay
