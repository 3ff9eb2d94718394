#include "proto/zlib_codec.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <new>
#include <stdexcept>

namespace coord::proto::zlib {

namespace {

constexpr int window_bits = 15; // zlib wrapper (RFC 1950), 32 KiB window; no gzip, no raw
constexpr int mem_level = 8;    // zlib's default: 128 KiB of hash tables

Bytef* bytes(const char* p) {
  // zlib's next_in is not const unless ZLIB_CONST; it never writes through it.
  return reinterpret_cast<Bytef*>(const_cast<char*>(p));
}

/// Hands the next at most 4 GiB of input to zlib once it has used up the previous piece.
void refill(z_stream& s, std::string_view& rest) {
  if (s.avail_in != 0 || rest.empty())
    return;
  const auto n = static_cast<uInt>(std::min<std::size_t>(rest.size(), UINT_MAX));
  s.next_in = bytes(rest.data());
  s.avail_in = n;
  rest.remove_prefix(n);
}

/// Reset keeps next_in/avail_in; a call that stopped early must not leave the next one
/// reading the previous caller's (freed) input.
void forget_buffers(z_stream& s) {
  s.next_in = Z_NULL;
  s.avail_in = 0;
  s.next_out = Z_NULL;
  s.avail_out = 0;
}

/// A deflate stream kept per thread: deflateInit allocates ~270 KiB, deflateReset nothing.
class deflater {
public:
  deflater() {
    if (deflateInit2(&s_, level, Z_DEFLATED, window_bits, mem_level, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::bad_alloc{};
  }
  ~deflater() { deflateEnd(&s_); }
  deflater(const deflater&) = delete;
  deflater& operator=(const deflater&) = delete;

  /// The stream, ready for a new message.
  z_stream& fresh() {
    deflateReset(&s_);
    forget_buffers(s_);
    return s_;
  }

private:
  z_stream s_{};
};

/// An inflate stream kept per thread.
class inflater {
public:
  inflater() {
    if (inflateInit2(&s_, window_bits) != Z_OK)
      throw std::bad_alloc{};
  }
  ~inflater() { inflateEnd(&s_); }
  inflater(const inflater&) = delete;
  inflater& operator=(const inflater&) = delete;

  z_stream& fresh() {
    inflateReset(&s_);
    forget_buffers(s_);
    return s_;
  }

private:
  z_stream s_{};
};

decode_error refused(const char* reason) {
  return {errc::invalid_payload, reason};
}

} // namespace

std::string deflate(std::string_view text) {
  thread_local deflater d;
  z_stream& s = d.fresh();
  std::string out;
  // deflateBound is an upper bound for the whole stream, so one pass normally finishes.
  out.resize(deflateBound(&s, static_cast<uLong>(text.size())));
  std::size_t produced = 0;
  std::string_view rest = text;
  for (;;) {
    refill(s, rest);
    if (produced == out.size())
      out.resize(out.size() * 2);
    const auto room = static_cast<uInt>(std::min<std::size_t>(out.size() - produced, UINT_MAX));
    s.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    s.avail_out = room;
    const int rc = ::deflate(&s, rest.empty() ? Z_FINISH : Z_NO_FLUSH);
    produced += room - s.avail_out;
    if (rc == Z_STREAM_END)
      break;
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      throw std::logic_error("deflate failed on a valid stream");
  }
  out.resize(produced);
  return out;
}

result<std::string> inflate(std::string_view stream, std::size_t max_out) {
  thread_local inflater inf;
  z_stream& s = inf.fresh();
  std::string out;
  out.resize(std::min(max_out, std::max<std::size_t>(stream.size() * 4, 256)));
  std::size_t produced = 0;
  std::string_view rest = stream;
  for (;;) {
    refill(s, rest);
    // With the bound reached, a one-byte probe tells "ends here" from "wants more".
    unsigned char probe = 0;
    const bool at_limit = produced == out.size() && out.size() == max_out;
    if (produced == out.size() && !at_limit)
      out.resize(std::min(max_out, std::max<std::size_t>(out.size() * 2, 256)));
    const auto room =
        at_limit ? 1u : static_cast<uInt>(std::min<std::size_t>(out.size() - produced, UINT_MAX));
    s.next_out = at_limit ? &probe : reinterpret_cast<Bytef*>(out.data() + produced);
    s.avail_out = room;
    const uInt had_in = s.avail_in;
    const int rc = ::inflate(&s, Z_NO_FLUSH);
    const std::size_t got = room - s.avail_out;
    if (at_limit && got != 0)
      return refused("inflated size exceeds limit");
    produced += got;
    switch (rc) {
      case Z_STREAM_END:
        if (s.avail_in != 0 || !rest.empty())
          return refused("bytes after the end of the zlib stream");
        out.resize(produced);
        return out;
      case Z_NEED_DICT:
        return refused("zlib stream needs a preset dictionary");
      case Z_DATA_ERROR:
        return refused("corrupt zlib stream");
      case Z_MEM_ERROR:
        throw std::bad_alloc{};
      case Z_OK:
      case Z_BUF_ERROR:
        // No input left and no progress: the stream stops before its end.
        if (got == 0 && had_in == s.avail_in && s.avail_in == 0 && rest.empty())
          return refused("truncated zlib stream");
        break;
      default:
        return refused("zlib error");
    }
  }
}

} // namespace coord::proto::zlib
