#pragma once

// How much freed memory the allocator keeps in its per-thread caches.

namespace loyalty::broker {

// tcmalloc keeps up to 32 MiB in the caches of the broker's threads (its
// workers, gRPC's, the writers'), filled a little more every minute under
// load, so the broker's resident memory crept up long after its warm-up
// (+10 to +12 MB over 400,000 quotes; BENCHMARKS.md). Capped at 8 MiB it
// stays within a few MB, at no cost per call that the benchmark can see.
// An operator's TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES wins. Nothing to do
// when the broker is not linked with tcmalloc (the sanitized builds).
void LimitAllocatorCaches();

}  // namespace loyalty::broker
