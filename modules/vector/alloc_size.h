// AllocatedSize: the bytes a small allocation really takes, for the
// mem_usage callback (MEMORY USAGE, maxmemory accounting).
#pragma once

#include <cstddef>

namespace vset {

// jemalloc's small size classes step by 8 up to 8, then by 16 up to 128;
// rounding every request up to 16 matches them where names and upper link
// lists fall, and is a close upper bound beyond.
inline size_t AllocatedSize(size_t n) { return n <= 8 ? 8 : (n + 15) & ~size_t{15}; }

}  // namespace vset
