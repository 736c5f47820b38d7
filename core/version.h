// ember's own version, and the Redis version whose behaviour it implements
// (reported as redis_version so clients and tools accept the server).
#pragma once

namespace ember {
inline constexpr char kEmberVersion[] = "0.1.0";
inline constexpr char kRedisCompatVersion[] = "7.0.15";
}  // namespace ember
