#pragma once

// Metric series found once by their labels and then kept. prometheus-cpp's
// Family::Add builds a label map, hashes every label, takes the family's
// lock and, for a histogram, makes a new one (its buckets allocated) only to
// throw it away when the series exists: per call, several times per vendor
// call. The request path looks its series up here instead: one short key
// hashed under a shared lock. A series is never removed from its family, so
// the pointers kept stay valid.

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/node_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace loyalty::broker {

// The key of one set of label values, in a fixed order per cache.
std::string SeriesKey(std::initializer_list<std::string_view> label_values);

template <typename Series>
class SeriesCache {
 public:
  // The series of `key`, made by `make()` (which returns a Series) the
  // first time. Making twice at once is harmless: Family::Add returns the
  // existing series, and the first one kept wins.
  template <typename Make>
  const Series& Get(const std::string& key, Make make) {
    {
      absl::ReaderMutexLock lock(&mutex_);
      auto it = series_.find(key);
      if (it != series_.end()) return it->second;
    }
    Series made = make();
    absl::MutexLock lock(&mutex_);
    // Nodes stay where they are when the map grows: the reference holds.
    return series_.try_emplace(key, made).first->second;
  }

 private:
  absl::Mutex mutex_;
  absl::node_hash_map<std::string, Series> series_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace loyalty::broker
