#pragma once
// The buffer a websocket_session reads one message into (private header of net/).

#include <boost/asio/buffer.hpp>

#include <algorithm>
#include <cstddef>
#include <string>

namespace coord::net {

/// Beast's DynamicBuffer (v1) over one std::string: a complete message leaves as that string,
/// without a copy, and nothing is kept between messages but what the pending read prepared.
class message_buffer {
public:
  using const_buffers_type = boost::asio::const_buffer;
  using mutable_buffers_type = boost::asio::mutable_buffer;

  std::size_t size() const noexcept { return size_; }
  std::size_t max_size() const noexcept { return s_.max_size(); }
  std::size_t capacity() const noexcept { return s_.capacity(); }
  const_buffers_type data() const noexcept { return {s_.data(), size_}; }
  mutable_buffers_type prepare(std::size_t n) {
    s_.resize(size_ + n);
    return {s_.data() + size_, n};
  }
  void commit(std::size_t n) noexcept { size_ += std::min(n, s_.size() - size_); }
  void consume(std::size_t n) {
    n = std::min(n, size_);
    s_.erase(0, n);
    size_ -= n;
  }
  /// The committed bytes as a string; the buffer is left empty, with no capacity.
  std::string take() {
    s_.resize(size_);
    size_ = 0;
    std::string out;
    out.swap(s_);
    return out;
  }
  /// Drops everything, capacity included.
  void clear() {
    std::string().swap(s_);
    size_ = 0;
  }

private:
  std::string s_;
  std::size_t size_ = 0;
};

/// Bytes any read after the first of a message may prepare.
constexpr std::size_t max_read_chunk = 64 * 1024;

/// How many bytes the next read of a message may prepare, with `buffered` bytes of it in,
/// frames limited to `max_frame_bytes` (0: no limit) and `first_read` bytes for the first read.
///
/// The frame limit is enforced here rather than by Beast's read_message_max: Beast 1.81
/// answers an oversized message with 1009 but then drops TCP with the rest of the message
/// unread (its teardown stops after one read), which resets the connection and can cost the
/// peer our close frame. Reading at most one byte past the limit keeps memory bounded.
/// Beast prepares the buffer when the read starts, so an idle session holds what the first
/// read of a message asks for: little on the dialects with many sessions, more on the
/// gateway, whose few sessions carry the bigger messages. Later reads of a big message take
/// at most max_read_chunk each: a peer announcing a big frame costs what it actually sends.
constexpr std::size_t next_read_size(std::size_t buffered, std::size_t max_frame_bytes,
                                     std::size_t first_read) noexcept {
  const std::size_t limit = max_frame_bytes == 0
                              ? max_read_chunk
                              : max_frame_bytes + 1 - std::min(buffered, max_frame_bytes);
  return std::min(limit, buffered == 0 ? first_read : max_read_chunk);
}

} // namespace coord::net
