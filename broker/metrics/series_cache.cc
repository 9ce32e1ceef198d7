#include "broker/metrics/series_cache.h"

#include "absl/strings/str_cat.h"

namespace loyalty::broker {

std::string SeriesKey(std::initializer_list<std::string_view> label_values) {
  // Each value after its length, so no two sets of values share a key
  // whatever bytes they hold.
  std::string key;
  for (std::string_view value : label_values) {
    absl::StrAppend(&key, value.size(), ":");
    key.append(value);
  }
  return key;
}

}  // namespace loyalty::broker
