#include "net/outbound_queue.hpp"

#include <utility>

namespace coord::net {

outbound_queue::~outbound_queue() {
  free_chain(inbox_.exchange(nullptr, std::memory_order_acquire));
  free_chain(head_);
}

outbound_queue::push_result outbound_queue::push(buffer data, bool binary) {
  // Count first, so the bound holds across threads.
  const std::size_t n = data->size();
  std::size_t cur = bytes_.load(std::memory_order_relaxed);
  do {
    if (cur > limit_ || n > limit_ - cur)
      return overflowed_.exchange(true, std::memory_order_acq_rel) ? push_result::refused
                                                                   : push_result::overflow;
  } while (!bytes_.compare_exchange_weak(cur, cur + n, std::memory_order_acq_rel,
                                         std::memory_order_relaxed));
  // The frame is the only allocation per receiver; the payload itself is shared.
  frame* f = std::make_unique<frame>(std::move(data), binary ? opcode::binary : opcode::text)
               .release(); // the inbox's from here on
  frame* before = inbox_.load(std::memory_order_relaxed);
  do
    f->next = before;
  while (!inbox_.compare_exchange_weak(before, f, std::memory_order_release,
                                       std::memory_order_relaxed));
  return before ? push_result::queued : push_result::queued_first;
}

std::size_t outbound_queue::take_inbox() {
  frame* f = inbox_.exchange(nullptr, std::memory_order_acquire);
  // Newest first: reverse into push order.
  frame* const newest = f;
  frame* first = nullptr;
  std::size_t n = 0;
  while (f) {
    frame* const before = f->next;
    f->next = first;
    first = f;
    f = before;
    ++n;
  }
  if (n == 0)
    return 0;
  if (tail_)
    tail_->next = first;
  else
    head_ = first;
  tail_ = newest;
  size_ += n;
  return n;
}

std::size_t outbound_queue::discard_inbox() {
  const std::size_t dropped = free_chain(inbox_.exchange(nullptr, std::memory_order_acquire));
  bytes_.fetch_sub(dropped, std::memory_order_acq_rel);
  return dropped;
}

std::size_t outbound_queue::gather() {
  iov_.clear();
  std::size_t n = 0;
  std::size_t payload = 0;
  std::size_t bytes = 0;
  for (const frame* f = head_; f && n < max_batch_frames; f = f->next, ++n) {
    const std::size_t size = f->data->size();
    if (n > 0 && payload + size > max_batch_bytes)
      break;
    iov_.emplace_back(f->header, f->header_size);
    iov_.emplace_back(f->data->data(), size);
    payload += size;
    bytes += f->header_size + size;
  }
  batch_ = n;
  return bytes;
}

void outbound_queue::consume(std::size_t n) {
  auto it = iov_.begin();
  while (it != iov_.end() && n >= it->size()) {
    n -= it->size();
    ++it;
  }
  if (it != iov_.end())
    *it += n;
  iov_.erase(iov_.begin(), it);
}

std::size_t outbound_queue::complete_batch() {
  std::size_t bytes = 0;
  const std::size_t n = batch_;
  for (std::size_t i = 0; i < n; ++i) {
    frame* const done = head_;
    head_ = done->next;
    bytes += free_frame(done);
  }
  if (!head_)
    tail_ = nullptr;
  size_ -= n;
  batch_ = 0;
  iov_.clear();
  bytes_.fetch_sub(bytes, std::memory_order_acq_rel);
  return n;
}

std::size_t outbound_queue::drop(bool keep_batch) {
  if (!keep_batch)
    batch_ = 0;
  // The frames of the batch stay until their write ends (their buffers are in use).
  frame** link = &head_;
  frame* last_kept = nullptr;
  for (std::size_t i = 0; i < batch_ && *link; ++i) {
    last_kept = *link;
    link = &last_kept->next;
  }
  std::size_t dropped = free_chain(*link);
  *link = nullptr;
  tail_ = last_kept;
  size_ = batch_;
  if (batch_ == 0)
    iov_.clear();
  dropped += free_chain(inbox_.exchange(nullptr, std::memory_order_acquire));
  bytes_.fetch_sub(dropped, std::memory_order_acq_rel);
  return dropped;
}

void outbound_queue::trim() {
  if (iov_.capacity() > 2 * max_batch_frames)
    std::vector<boost::asio::const_buffer>().swap(iov_);
}

std::size_t outbound_queue::free_chain(frame* f) noexcept {
  std::size_t bytes = 0;
  while (f) {
    frame* const next = f->next;
    bytes += free_frame(f);
    f = next;
  }
  return bytes;
}

} // namespace coord::net
