#pragma once
// The frames waiting to go to one websocket peer, without the socket (private header of net/).
//
// Producers on any thread push() a frame: its bytes are counted against the bound first (the
// count never passes it, not even for an instant), then the frame goes on a lock-free inbox,
// a stack pushed with one compare-and-swap. One consumer at a time (the session's strand)
// moves the inbox behind the queued frames in push order, gathers the frames at the front
// into one scatter/gather write (header and shared payload of each, no copy), and completes
// or drops them. A frame that would pass the bound is refused, and the queue remembers that
// it overflowed: the session closes with 4009 (slow consumer).
//
// Ownership: an intrusive singly linked list. The queue owns every frame reachable from
// inbox_ or head_: push() makes a frame with make_unique and releases it into the inbox; a
// frame leaves only through free_frame() (adopted by a unique_ptr again) when it is written
// or dropped, or when the queue is destroyed. Nothing else frees or keeps a frame.

#include "net/connection.hpp"
#include "net/frame_encoding.hpp"

#include <boost/asio/buffer.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace coord::net {

class outbound_queue {
public:
  /// What push() did with a frame.
  enum class push_result : std::uint8_t {
    queued,       ///< queued; a take_inbox() is already due
    queued_first, ///< queued into an empty inbox: the caller schedules one take_inbox()
    overflow,     ///< refused, it would pass the bound; the first refusal (overflowed() now)
    refused,      ///< refused, it would pass the bound; the queue had overflowed before
  };

  /// Frames per gathered write (two iovecs each; Asio passes at most 64 to one sendmsg).
  static constexpr std::size_t max_batch_frames = 32;
  /// Payload bytes per gathered write, past the first frame.
  static constexpr std::size_t max_batch_bytes = 256 * 1024;

  /// A queue holding at most `limit_bytes` of payload.
  explicit outbound_queue(std::size_t limit_bytes) noexcept : limit_(limit_bytes) {}
  ~outbound_queue();
  outbound_queue(const outbound_queue&) = delete;
  outbound_queue& operator=(const outbound_queue&) = delete;

  // Any thread.

  /// Counts the bytes of `data` (not null) and puts it, framed as text or binary, in the
  /// inbox; or refuses it when it would take the queue past the bound.
  push_result push(buffer data, bool binary);
  /// Payload bytes pushed and not yet completed or dropped.
  std::size_t queued_bytes() const noexcept { return bytes_.load(std::memory_order_acquire); }
  /// A push was refused for the bound.
  bool overflowed() const noexcept { return overflowed_.load(std::memory_order_acquire); }

  // The consumer only.

  /// Moves the inbox behind the queued frames (each producer's frames in the order it pushed
  /// them); returns how many it moved.
  std::size_t take_inbox();
  /// Drops what is in the inbox without queueing it; returns the payload bytes dropped.
  std::size_t discard_inbox();
  /// No frame queued (the inbox aside).
  bool empty() const noexcept { return !head_; }
  /// Frames queued (the inbox aside).
  std::size_t size() const noexcept { return size_; }

  /// Makes the frames at the front the batch (at most max_batch_frames; past the first, at
  /// most max_batch_bytes of payload) and returns its size in bytes, headers included; its
  /// iovecs are buffers(). Not while a batch is being written.
  std::size_t gather();
  /// The part of the batch not written yet.
  const std::vector<boost::asio::const_buffer>& buffers() const noexcept { return iov_; }
  /// `n` more bytes of the batch were written: buffers() starts after them.
  void consume(std::size_t n);
  /// Frames in the batch.
  std::size_t batch_frames() const noexcept { return batch_; }
  /// The batch is written: its frames leave the queue. Returns how many.
  std::size_t complete_batch();

  /// Drops every queued frame (but the batch, when `keep_batch`: a write still uses its
  /// buffers) and the inbox; returns the payload bytes dropped.
  std::size_t drop(bool keep_batch);
  /// Gives back the iovec memory a long batch left (call when idle).
  void trim();

private:
  struct frame {
    frame(buffer d, opcode op) noexcept
      : data(std::move(d)),
        header_size(static_cast<std::uint8_t>(encode_frame_header(header, op, data->size()))) {}

    frame* next = nullptr; // queued: the next one; in the inbox: the one pushed before
    buffer data;
    std::uint8_t header[max_frame_header];
    std::uint8_t header_size;
  };

  /// Frees `f` (owned by the queue); returns its payload bytes.
  static std::size_t free_frame(frame* f) noexcept {
    const std::unique_ptr<frame> owned(f);
    return owned->data->size();
  }
  /// Frees the chain of frames from `f` on; returns their payload bytes.
  static std::size_t free_chain(frame* f) noexcept;

  const std::size_t limit_;
  std::atomic<std::size_t> bytes_{0};
  std::atomic<bool> overflowed_{false};
  std::atomic<frame*> inbox_{nullptr}; // newest first

  frame* head_ = nullptr; // oldest; the first batch_ frames are the batch
  frame* tail_ = nullptr;
  std::size_t size_ = 0;
  std::size_t batch_ = 0;
  std::vector<boost::asio::const_buffer> iov_;
};

} // namespace coord::net
