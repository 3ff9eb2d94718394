#include "net/websocket_session.hpp"

#include "net/fail.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace coord::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::atomic<std::uint64_t> next_id{1};

websocket_session::strand strand_of(tcp::socket& socket) {
  // The listener accepts every socket on its own strand; timers and posts must use it too.
  const auto* s = socket.get_executor().target<websocket_session::strand>();
  if (!s)
    throw std::logic_error("websocket_session: socket not on a strand");
  return *s;
}

/// A close reason fits in a control frame (123 bytes); cut on a UTF-8 boundary.
std::string_view clip_reason(std::string_view reason) {
  constexpr std::size_t max = 123;
  if (reason.size() <= max)
    return reason;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80)
    --n;
  return reason.substr(0, n);
}

/// Writes the header of one unmasked, unfragmented server frame (RFC 6455 §5.2) carrying
/// `size` payload bytes into `out` (10 bytes room); returns its length.
std::size_t encode_frame_header(std::uint8_t* out, std::size_t size, bool binary) {
  out[0] = 0x80 | (binary ? 0x2 : 0x1); // FIN + opcode
  if (size < 126) {
    out[1] = static_cast<std::uint8_t>(size);
    return 2;
  }
  if (size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(size >> 8);
    out[3] = static_cast<std::uint8_t>(size);
    return 4;
  }
  out[1] = 127;
  const auto v = static_cast<std::uint64_t>(size);
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  return 10;
}

} // namespace

websocket_session::websocket_session(tcp::socket&& socket, std::shared_ptr<shared_state> state,
                                     net::dialect d, std::string remote)
  : state_(std::move(state)),
    strand_(strand_of(socket)),
    ws_(std::move(socket)),
    ping_timer_(strand_),
    close_timer_(strand_),
    id_(next_id.fetch_add(1, std::memory_order_relaxed)),
    dialect_(d),
    remote_(std::move(remote)) {}

websocket_session::~websocket_session() {
  release_slot();
  // Frames pushed by a send() that raced with the end, and any left by a stopped server.
  drop_frames(false);
  in_flight_ = 0;
}

void websocket_session::run(http::request<http::string_body> req, upgrade_request info) {
  const auto& opts = state_->options();
  ws_.next_layer().set_owner(weak_from_this(), this);
  // Data frames are written straight away when the socket takes them (do_write).
  boost::system::error_code ec;
  auto& socket = ws_.next_layer().next_layer();
  socket.non_blocking(true, ec);
  if (opts.socket_send_buffer != 0)
    socket.set_option(asio::socket_base::send_buffer_size(
                        static_cast<int>(opts.socket_send_buffer)),
                      ec);
  // Beast's own timer covers the close handshake only; liveness is the pings' business.
  ws_.set_option(websocket::stream_base::timeout{opts.close_timeout,
                                                 websocket::stream_base::none(), false});
  ws_.set_option(websocket::stream_base::decorator(
    [](websocket::response_type& res) { res.set(http::field::server, "coordinator"); }));
  // No Beast limit: do_read enforces max_frame_bytes (see there).
  ws_.read_message_max(0);
  // Beast writes control frames only (data frames bypass it, see do_write).
  ws_.auto_fragment(false);
  ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
    if (kind != websocket::frame_type::pong || finished_)
      return;
    unanswered_pings_ = 0;
    if (sink_)
      sink_->on_pong();
  });
  // Answer the upgrade (101); the session opens once that is written.
  ws_.async_accept(req, [self = shared_from_this(), info = std::move(info)](
                          boost::system::error_code ec) mutable {
    self->on_accept(ec, std::move(info));
  });
}

void websocket_session::on_accept(boost::system::error_code ec, upgrade_request info) {
  if (ec) {
    fail(ec, "websocket accept");
    finished_ = true;
    closing_.store(true, std::memory_order_release);
    release_slot();
    return;
  }
  opened_ = true;
  state_->metrics().sessions[static_cast<std::size_t>(dialect_)].add();
  const auto shutdown = state_->join(id_, weak_from_this());
  spdlog::debug("net: session open id={} dialect={} remote={}", id_, to_string(dialect_),
                remote_);

  std::shared_ptr<session_sink> sink;
  try {
    if (state_->hooks().on_open)
      sink = state_->hooks().on_open(shared_from_this(), info);
  } catch (const std::exception& e) {
    spdlog::warn("net: on_open threw id={} error=\"{}\"", id_, e.what());
  }
  sink_ = std::move(sink);

  do_read();
  arm_ping();
  // A close() made by on_open itself is already posted and wins.
  if (!sink_ && !closing_.load(std::memory_order_acquire))
    begin_close(1011, "session refused", false);
  else if (shutdown && !closing_.load(std::memory_order_acquire))
    begin_close(shutdown->code, shutdown->reason, false);
}

void websocket_session::do_read() {
  // The frame limit is enforced here rather than by Beast's read_message_max: Beast 1.81
  // answers an oversized message with 1009 but then drops TCP with the rest of the message
  // unread (its teardown stops after one read), which resets the connection and can cost the
  // peer our close frame. Reading at most one byte past the limit keeps memory bounded.
  const std::size_t max = state_->options().max_frame_bytes;
  std::size_t limit = max == 0 ? 64 * 1024 : max + 1 - std::min(buffer_.size(), max);
  // Beast prepares the buffer when the read starts, so an idle session holds what the first
  // read of a message asks for: little on the dialects with many sessions, more on the
  // gateway, whose few sessions carry the bigger messages. Later reads of a big message take
  // at most max_read_chunk each: a peer announcing a big frame costs what it actually sends.
  limit = std::min(limit, buffer_.size() == 0
                            ? (dialect_ == net::dialect::gateway ? initial_read_gateway
                                                                 : initial_read)
                            : max_read_chunk);
  // We size the read ourselves (Beast's dynamic-buffer overload asks the frame state for a
  // size hint, which asserts between frames while a close drains the peer's input).
  // Cancellable: finish() must be able to end a read Beast has parked (see there).
  ws_.async_read_some(buffer_.prepare(limit),
                      asio::bind_cancellation_slot(
                        read_cancel_.slot(),
                        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                          self->buffer_.commit(n);
                          self->on_read(ec);
                        }));
}

void websocket_session::on_read(boost::system::error_code ec) {
  if (finished_)
    return;
  if (ec) {
    fail(ec, "websocket read");
    return finish(end_code(ec));
  }
  const std::size_t max = state_->options().max_frame_bytes;
  if (close_started_) {
    // Closing: the peer's frames no longer matter; read on only to see its close.
    buffer_.clear();
  } else if (max != 0 && buffer_.size() > max) {
    buffer_.clear();
    begin_close(1009, "message too big", false);
  } else if (!ws_.is_message_done()) {
    // A frame header announcing more than the limit closes now, not once the bytes are in
    // (they may never come). The hint is what is left of the frame being read.
    const std::size_t left = ws_.read_size_hint(1);
    if (max != 0 && left > 1 && left > max - buffer_.size()) {
      buffer_.clear();
      begin_close(1009, "message too big", false);
    }
  } else {
    state_->metrics().messages_in[static_cast<std::size_t>(dialect_)].inc();
    messages_in_.fetch_add(1, std::memory_order_relaxed);
    const bool binary = ws_.got_binary();
    auto data = buffer_.take(); // the message itself, no copy
    if (sink_)
      sink_->on_frame(std::move(data), binary);
  }
  // Always keep one read pending: it delivers frames, pongs and the peer's close.
  do_read();
}

void websocket_session::send(buffer data, bool binary) {
  if (!data || closing_.load(std::memory_order_acquire) || state_->stopped())
    return;
  // Account the bytes before queueing so the bound holds across threads; the queue never
  // grows past it, not even for an instant.
  const std::size_t n = data->size();
  const std::size_t limit = state_->options().outbound_queue_bytes;
  std::size_t cur = queued_.load(std::memory_order_relaxed);
  do {
    if (cur > limit || n > limit - cur) {
      // Slow consumer: refuse the frame and close; the strand drops what is queued.
      slow_.store(true, std::memory_order_release);
      if (!closing_.exchange(true, std::memory_order_acq_rel)) {
        spdlog::debug("net: slow consumer id={} queued={} frame={}", id_, cur, n);
        // Counted now, when the node decides to cut the client off, not when the close
        // handshake (or the 10 s timer) ends: an operator sees it at once (SPEC §2).
        state_->metrics().count_close(static_cast<std::size_t>(dialect_), 4009);
        close_counted_.store(true, std::memory_order_release);
        asio::post(strand_, [self = shared_from_this()] {
          self->begin_close(4009, "slow consumer", true);
        });
      }
      return;
    }
  } while (!queued_.compare_exchange_weak(cur, cur + n, std::memory_order_acq_rel,
                                          std::memory_order_relaxed));
  // The queue entry is the only allocation per receiver; the payload itself is shared.
  auto* f = new out_frame;
  f->data = std::move(data);
  f->header_size = static_cast<std::uint8_t>(encode_frame_header(f->header, n, binary));
  out_frame* head = inbox_.load(std::memory_order_relaxed);
  do
    f->next = head;
  while (!inbox_.compare_exchange_weak(head, f, std::memory_order_release,
                                       std::memory_order_relaxed));
  // Only the push that found the inbox empty posts: the drain takes everything pushed so far.
  if (!head)
    asio::post(strand_, [self = shared_from_this()] { self->drain_inbox(); });
}

void websocket_session::drain_inbox() {
  if (slow_.load(std::memory_order_acquire)) // 4009: what is queued is dropped, unwritten
    return begin_close(4009, "slow consumer", true);
  out_frame* f = inbox_.exchange(nullptr, std::memory_order_acquire);
  if (!f)
    return;
  // Newest first: reverse into send order.
  out_frame* first = nullptr;
  out_frame* last = f;
  while (f) {
    out_frame* next = f->next;
    f->next = first;
    first = f;
    f = next;
  }
  if (close_started_ || finished_) {
    std::size_t dropped = 0;
    while (first) {
      out_frame* next = first->next;
      dropped += first->data->size();
      delete first;
      first = next;
    }
    queued_.fetch_sub(dropped, std::memory_order_acq_rel);
    return;
  }
  if (tail_)
    tail_->next = first;
  else
    head_ = first;
  tail_ = last;
  do_write();
}

void websocket_session::do_write() {
  auto& layer = ws_.next_layer();
  while (!writing_ && head_ && !finished_ && layer.idle() && ws_.is_open() &&
         !slow_.load(std::memory_order_acquire)) {
    // Gather the frames at the front: each is a header and the shared payload.
    gather_.clear();
    std::size_t n = 0;
    std::size_t bytes = 0;
    for (out_frame* f = head_; f && n < max_batch_frames; f = f->next, ++n) {
      if (n > 0 && bytes + f->data->size() > max_batch_bytes)
        break;
      gather_.emplace_back(f->header, f->header_size);
      gather_.emplace_back(f->data->data(), f->data->size());
      bytes += f->header_size + f->data->size();
    }
    in_flight_ = n;
    // Most writes fit in the socket's buffer: write now, without an async operation.
    boost::system::error_code ec;
    std::size_t written = layer.next_layer().write_some(gather_, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      written = 0;
    }
    if (ec) {
      fail(ec, "websocket write");
      return finish(end_code(ec));
    }
    if (written == bytes) {
      complete_frames(n);
      continue;
    }
    // The kernel took part of it: the rest goes out asynchronously, then the next batch.
    std::size_t skip = written;
    auto it = gather_.begin();
    while (skip >= it->size()) {
      skip -= it->size();
      ++it;
    }
    *it += skip;
    gather_.erase(gather_.begin(), it);
    writing_ = true;
    layer.async_write_frames(gather_, [self = shared_from_this()](boost::system::error_code ec,
                                                                   std::size_t) {
      self->on_write(ec);
    });
    return;
  }
  if (gather_.capacity() > 2 * max_batch_frames)
    std::vector<asio::const_buffer>().swap(gather_);
  maybe_close();
}

void websocket_session::on_write(boost::system::error_code ec) {
  writing_ = false;
  if (ec) {
    fail(ec, "websocket write");
    return finish(end_code(ec));
  }
  complete_frames(in_flight_);
  if (finished_)
    return;
  do_write();
}

void websocket_session::on_layer_idle() {
  // A Beast frame (pong, ping) went out while data frames waited.
  if (!finished_)
    do_write();
}

void websocket_session::complete_frames(std::size_t n) {
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    out_frame* f = head_;
    head_ = f->next;
    bytes += f->data->size();
    delete f;
  }
  if (!head_)
    tail_ = nullptr;
  in_flight_ = 0;
  queued_.fetch_sub(bytes, std::memory_order_acq_rel);
  state_->metrics().messages_out[static_cast<std::size_t>(dialect_)].inc(n);
  messages_out_.fetch_add(n, std::memory_order_relaxed);
}

std::size_t websocket_session::drop_frames(bool keep_in_flight) {
  // The frames of a write in flight stay until its handler runs (their buffers are in use).
  out_frame** link = &head_;
  out_frame* last_kept = nullptr;
  for (std::size_t i = 0; keep_in_flight && writing_ && i < in_flight_ && *link; ++i) {
    last_kept = *link;
    link = &(*link)->next;
  }
  std::size_t dropped = 0;
  out_frame* f = *link;
  *link = nullptr;
  tail_ = last_kept;
  while (f) {
    out_frame* next = f->next;
    dropped += f->data->size();
    delete f;
    f = next;
  }
  // And whatever is still in the inbox.
  f = inbox_.exchange(nullptr, std::memory_order_acquire);
  while (f) {
    out_frame* next = f->next;
    dropped += f->data->size();
    delete f;
    f = next;
  }
  queued_.fetch_sub(dropped, std::memory_order_acq_rel);
  return dropped;
}

void websocket_session::close(std::uint16_t code, std::string reason) {
  if (state_->stopped() || closing_.exchange(true, std::memory_order_acq_rel))
    return;
  // After the frames this thread sent before: they are in the inbox by now, wherever the
  // drain that takes them was posted from.
  asio::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    self->drain_inbox();
    self->begin_close(code, std::move(reason), false);
  });
}

void websocket_session::begin_close(std::uint16_t code, std::string reason, bool drop_queued) {
  if (close_started_ || finished_)
    return;
  close_started_ = true;
  closing_.store(true, std::memory_order_release);
  close_code_ = code;
  close_reason_ = std::move(reason);
  if (drop_queued) // keep only the write in flight: the close frame goes right after it
    drop_frames(true);
  // Whatever holds the close up (a write the peer does not read, a peer that never answers),
  // the TCP connection goes after close_timeout.
  close_timer_.expires_after(state_->options().close_timeout);
  close_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->finished_)
      return;
    spdlog::debug("net: close handshake timed out id={} code={}", self->id_, self->close_code_);
    self->finish(self->close_code_);
  });
  maybe_close();
}

void websocket_session::maybe_close() {
  // Beast allows one write and one control frame at a time: wait for both to be done.
  if (!close_started_ || close_sent_ || finished_ || writing_ || ping_in_flight_ || head_)
    return;
  close_sent_ = true;
  ping_timer_.cancel();
  if (!ws_.is_open())
    return; // the peer's close (or a failure) is under way: the pending read ends it
  const auto reason = clip_reason(close_reason_);
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_),
                                          reason),
                  asio::bind_cancellation_slot(close_cancel_.slot(),
                                               [self = shared_from_this()](
                                                 boost::system::error_code ec) {
                                                 self->on_close(ec);
                                               }));
}

void websocket_session::on_close(boost::system::error_code ec) {
  if (ec)
    fail(ec, "websocket close");
  finish(close_code_);
}

void websocket_session::arm_ping() {
  const auto interval = state_->options().ping_interval[static_cast<std::size_t>(dialect_)];
  if (interval.count() <= 0 || close_started_ || finished_)
    return;
  ping_timer_.expires_after(interval);
  ping_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    self->on_ping_timer(ec);
  });
}

void websocket_session::on_ping_timer(boost::system::error_code ec) {
  if (ec || close_started_ || finished_)
    return;
  // No pong since two pings ago: the peer is gone or stuck.
  if (unanswered_pings_ >= 2) {
    state_->metrics().heartbeat_timeouts[static_cast<std::size_t>(dialect_)].inc();
    spdlog::debug("net: ping timeout id={} dialect={}", id_, to_string(dialect_));
    return begin_close(4007, "ping timeout", false);
  }
  ++unanswered_pings_;
  if (!ping_in_flight_ && ws_.is_open()) {
    ping_in_flight_ = true;
    ws_.async_ping({}, [self = shared_from_this()](boost::system::error_code ec) {
      self->on_ping(ec);
    });
  }
  arm_ping();
}

void websocket_session::on_ping(boost::system::error_code ec) {
  ping_in_flight_ = false;
  if (ec)
    fail(ec, "websocket ping"); // the pending read sees the same failure and ends the session
  maybe_close();
}

std::uint16_t websocket_session::end_code(const boost::system::error_code& ec) const {
  if (close_started_)
    return close_code_;
  // The peer's close frame was read (a write may fail before the read reports it).
  if (const auto code = ws_.reason().code; code != websocket::close_code::none)
    return code;
  if (ec == websocket::error::closed)
    return 1005; // closed without a code
  // Beast has already sent these close frames itself.
  if (ec == websocket::error::message_too_big)
    return 1009;
  if (ec == websocket::error::bad_frame_payload)
    return 1007;
  if (ec.category() == websocket::make_error_code(websocket::error::closed).category())
    return 1002;
  return 1006;
}

void websocket_session::finish(std::uint16_t code) {
  if (finished_)
    return;
  finished_ = true;
  closing_.store(true, std::memory_order_release);
  ping_timer_.cancel();
  close_timer_.cancel();
  // Drop what is queued; the frames of a write in flight go when its handler runs.
  drop_frames(true);
  // Beast can park a read (waiting to write 1007/1002 while our close holds the writer) and
  // our close (waiting for that read) on each other: neither would ever complete and their
  // handlers would keep this session alive. Closing the socket does not reach parked
  // operations; cancelling them does.
  read_cancel_.emit(asio::cancellation_type::terminal);
  close_cancel_.emit(asio::cancellation_type::terminal);
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).close(ignored);
  if (!opened_)
    return release_slot();

  state_->leave(id_);
  auto& m = state_->metrics();
  m.sessions[static_cast<std::size_t>(dialect_)].sub();
  if (!close_counted_.load(std::memory_order_acquire))
    m.count_close(static_cast<std::size_t>(dialect_), code);
  spdlog::debug("net: session closed id={} dialect={} code={}", id_, to_string(dialect_), code);
  // Drop our reference first: a sink holding its connection must not keep us alive.
  auto sink = std::move(sink_);
  if (sink)
    sink->on_closed(code);
  // Last: a shutdown waiting for every session may now be done.
  release_slot();
}

void websocket_session::abandon() {
  // Nothing runs any more: a Beast write waiting for ours would hold us forever.
  ws_.next_layer().drop_deferred();
  finish(end_code(asio::error::operation_aborted));
}

void websocket_session::release_slot() noexcept {
  if (slot_held_.exchange(false, std::memory_order_acq_rel))
    state_->release();
}

} // namespace coord::net
