// libFuzzer target: the zlib codec of compressed gateway sessions (SPEC.md §4.4). Arbitrary
// bytes to inflate() never crash and never exceed max_out; whatever inflates re-inflates at
// exactly its size and is refused one byte below it; deflate() -> inflate() returns the input,
// and the stream cut short or with a byte appended is refused.

#include "fuzz/fuzz_check.hpp"
#include "proto/zlib_codec.hpp"

#include <cstdint>
#include <string>

namespace zlib = coord::proto::zlib;
namespace fuzz = coord::fuzz;
using coord::proto::errc;

namespace {

constexpr std::size_t max_out = 1 << 20; // limits.max_frame_bytes' default

void check_refused(const coord::proto::result<std::string>& r, const char* what) {
  FUZZ_CHECK(!r.has_value(), what);
  fuzz::check_error(r.error());
  FUZZ_CHECK(r.error().code == errc::invalid_payload, "zlib refusals are invalid_payload");
}

/// inflate() of a stream whose content is known: exact at its size, refused below it.
void check_limits(std::string_view stream, std::string_view content) {
  auto exact = zlib::inflate(stream, content.size());
  FUZZ_CHECK(exact && *exact == content, "inflate at exactly the output size failed");
  if (!content.empty())
    check_refused(zlib::inflate(stream, content.size() - 1),
                  "inflate produced more than max_out");
}

/// deflate() -> inflate() is the identity; a cut or extended stream is refused.
void check_round_trip(std::string_view text) {
  const auto z = zlib::deflate(text);
  FUZZ_CHECK(z.size() >= 6, "a zlib stream has a 2-byte header and a 4-byte adler32");
  FUZZ_CHECK((static_cast<unsigned char>(z[0]) & 0x0F) == 8, "the stream is deflate (CM 8)");
  FUZZ_CHECK(((static_cast<unsigned char>(z[0]) << 8) | static_cast<unsigned char>(z[1])) % 31 == 0,
             "the zlib header check bits are valid");
  check_limits(z, text);
  check_refused(zlib::inflate(std::string_view{z}.substr(0, z.size() - 1), max_out),
                "a truncated stream inflated");
  check_refused(zlib::inflate(z + '\0', max_out), "a stream with a trailing byte inflated");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::as_text(data, size);
  // Arbitrary bytes as a stream; the first byte also picks a small limit to hit the bound.
  auto big = zlib::inflate(bytes, max_out);
  if (big) {
    FUZZ_CHECK(big->size() <= max_out, "inflate exceeded max_out");
    check_limits(bytes, *big);
    auto again = zlib::inflate(zlib::deflate(*big), max_out);
    FUZZ_CHECK(again && *again == *big, "re-deflate round-trip");
  } else {
    fuzz::check_error(big.error());
  }
  if (size > 0) {
    const std::size_t small = data[0];
    auto r = zlib::inflate(bytes.substr(1), small);
    if (r)
      FUZZ_CHECK(r->size() <= small, "inflate exceeded a small max_out");
  }
  check_round_trip(bytes);
  return 0;
}
