#include "broker/app/allocator_caches.h"

#include <cstddef>
#include <cstdlib>

#ifdef LOYALTY_TCMALLOC
#include <gperftools/malloc_extension_c.h>
#endif

namespace loyalty::broker {

void LimitAllocatorCaches() {
#ifdef LOYALTY_TCMALLOC
  constexpr size_t kThreadCachesBytes = 8 << 20;
  if (std::getenv("TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES") != nullptr) return;
  MallocExtension_SetNumericProperty("tcmalloc.max_total_thread_cache_bytes", kThreadCachesBytes);
#endif
}

}  // namespace loyalty::broker
