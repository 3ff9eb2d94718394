#pragma once
// zlib streams (RFC 1950) for the gateway's `compress:true` sessions (SPEC.md §4.4): one
// complete stream per message, header and adler32 included.

#include "proto/errors.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace coord::proto::zlib {

/// The level deflate() uses: Z_BEST_SPEED. On gateway JSON it is several times faster than
/// the default level 6 for output ~10-20% larger; the coordinator compresses every outbound
/// payload of a compressed session, so time matters more than the last bytes.
constexpr int level = 1;

/// The text as one complete zlib stream (2-byte header, deflate data, adler32). Reuses one
/// z_stream per thread (deflateReset between calls); throws std::bad_alloc only if zlib
/// cannot get memory.
std::string deflate(std::string_view text);

/// The bytes of one complete zlib stream; never produces more than max_out bytes. A corrupt
/// or truncated stream, bytes after its end, a preset dictionary, or output past max_out ->
/// invalid_payload with a reason. For tests and the load generator.
result<std::string> inflate(std::string_view stream, std::size_t max_out);

} // namespace coord::proto::zlib
