// websocket_session: the read loop, the write loop and the close handshake over Beast.
// One translation unit on purpose, a little past 400 lines: the parts that need no socket are
// in their own headers (see websocket_session.hpp); what is left all instantiates Beast's
// websocket stream, and each such translation unit costs ~45 s and ~1 GB to build.

#include "net/websocket_session.hpp"

#include "net/fail.hpp"
#include "net/frame_encoding.hpp"
#include "proto/errors.hpp"

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
namespace codes = proto::close;
using tcp = asio::ip::tcp;
using phase = session_phase;

namespace {

std::atomic<std::uint64_t> next_id{1};

websocket_session::strand strand_of(tcp::socket& socket) {
  // The listener accepts every socket on its own strand; timers and posts must use it too.
  const auto* s = socket.get_executor().target<websocket_session::strand>();
  if (!s)
    throw std::logic_error("websocket_session: socket not on a strand");
  return *s;
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
    remote_(std::move(remote)),
    queue_(state_->options().outbound_queue_bytes) {}

websocket_session::~websocket_session() {
  // The slot the caller reserved, unless finish() (or the failed upgrade) gave it back. The
  // queue frees frames pushed by a send() that raced with the end, or left by a stopped server.
  if (!life_.closed())
    state_->release();
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
  // Beast's own timer covers the close handshake only; liveness is the heartbeat monitor's
  // (pongs go to the session).
  ws_.set_option(websocket::stream_base::timeout{opts.close_timeout,
                                                 websocket::stream_base::none(), false});
  ws_.set_option(websocket::stream_base::decorator(
    [](websocket::response_type& res) { res.set(http::field::server, "coordinator"); }));
  // No Beast limit: do_read enforces max_frame_bytes (see there).
  ws_.read_message_max(0);
  // Beast writes control frames only (data frames bypass it, see do_write).
  ws_.auto_fragment(false);
  ws_.control_callback(
    [this](websocket::frame_type kind, beast::string_view) { on_control(kind); });
  // Answer the upgrade (101); the session opens once that is written.
  ws_.async_accept(req, [self = shared_from_this(), info = std::move(info)](
                          boost::system::error_code ec) mutable {
    self->on_accept(ec, std::move(info));
  });
}

void websocket_session::on_accept(boost::system::error_code ec, upgrade_request info) {
  if (ec) {
    fail(ec, "websocket accept");
    // Never opened: nothing to count, no sink to tell.
    if (life_.enter(phase::closed))
      state_->release();
    return;
  }
  life_.enter(phase::open);
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
  if (!sink_ && life_.phase() == phase::open)
    begin_close(codes::internal_error, "session refused", false);
  else if (shutdown && life_.phase() == phase::open)
    begin_close(shutdown->code, shutdown->reason, false);
}

void websocket_session::do_read() {
  const std::size_t limit = next_read_size(
    buffer_.size(), state_->options().max_frame_bytes,
    dialect_ == net::dialect::gateway ? initial_read_gateway : initial_read);
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
  if (life_.closed())
    return;
  if (ec) {
    fail(ec, "websocket read");
    return finish(end_code(ec));
  }
  const std::size_t max = state_->options().max_frame_bytes;
  if (life_.close_started()) {
    // Closing: the peer's frames no longer matter; read on only to see its close.
    buffer_.clear();
  } else if (max != 0 && buffer_.size() > max) {
    buffer_.clear();
    begin_close(codes::too_big, "message too big", false);
  } else if (!ws_.is_message_done()) {
    // A frame header announcing more than the limit closes now, not once the bytes are in
    // (they may never come). The hint is what is left of the frame being read.
    const std::size_t left = ws_.read_size_hint(1);
    if (max != 0 && left > 1 && left > max - buffer_.size()) {
      buffer_.clear();
      begin_close(codes::too_big, "message too big", false);
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

void websocket_session::on_control(websocket::frame_type kind) {
  // Beast answers pings itself; a pong answers ours: the sink hears it (the session's
  // heartbeat monitor decides when a silent peer is gone).
  if (kind != websocket::frame_type::pong || life_.closed())
    return;
  if (sink_)
    sink_->on_pong();
}

void websocket_session::send(buffer data, bool binary) {
  if (!data || !life_.accepts_frames() || state_->stopped())
    return;
  const std::size_t n = data->size();
  using result = outbound_queue::push_result;
  const result r = queue_.push(std::move(data), binary);
  // Only the push that found the inbox empty posts: the drain takes everything pushed so far.
  if (r == result::queued_first)
    asio::post(strand_, [self = shared_from_this()] { self->drain_inbox(); });
  // Slow consumer: the frame is refused; the strand drops what is queued and closes.
  if (r == result::overflow && life_.enter(phase::close_requested)) {
    spdlog::debug("net: slow consumer id={} queued={} frame={}", id_, queue_.queued_bytes(), n);
    asio::post(strand_, [self = shared_from_this()] {
      self->begin_close(codes::slow_consumer, "slow consumer", true);
    });
  }
}

void websocket_session::drain_inbox() {
  if (queue_.overflowed()) // 4009: what is queued is dropped, unwritten
    return begin_close(codes::slow_consumer, "slow consumer", true);
  if (life_.close_started()) {
    queue_.discard_inbox(); // sent after the close began
    return;
  }
  if (queue_.take_inbox() != 0)
    do_write();
}

void websocket_session::do_write() {
  auto& layer = ws_.next_layer();
  while (!queue_.empty() && !life_.closed() && layer.idle() && ws_.is_open() &&
         !queue_.overflowed()) {
    // Gather the frames at the front: each is a header and the shared payload.
    const std::size_t bytes = queue_.gather();
    // Most writes fit in the socket's buffer: write now, without an async operation.
    boost::system::error_code ec;
    std::size_t written = layer.next_layer().write_some(queue_.buffers(), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      written = 0;
    }
    if (ec) {
      fail(ec, "websocket write");
      return finish(end_code(ec));
    }
    if (written == bytes) {
      complete_batch();
      continue;
    }
    // The kernel took part of it: the rest goes out asynchronously, then the next batch.
    queue_.consume(written);
    layer.async_write_frames(queue_.buffers(), [self = shared_from_this()](
                                                 boost::system::error_code ec, std::size_t) {
      self->on_write(ec);
    });
    return;
  }
  queue_.trim();
  maybe_close();
}

void websocket_session::on_write(boost::system::error_code ec) {
  if (ec) {
    fail(ec, "websocket write");
    return finish(end_code(ec));
  }
  complete_batch();
  if (life_.closed())
    return;
  do_write();
}

void websocket_session::on_layer_idle() {
  // A Beast frame (pong, ping) went out while data frames waited.
  if (!life_.closed())
    do_write();
}

void websocket_session::complete_batch() {
  const std::size_t n = queue_.complete_batch();
  state_->metrics().messages_out[static_cast<std::size_t>(dialect_)].inc(n);
  messages_out_.fetch_add(n, std::memory_order_relaxed);
}

void websocket_session::close(std::uint16_t code, std::string reason) {
  if (state_->stopped() || !life_.enter(phase::close_requested))
    return;
  // After the frames this thread sent before: they are in the inbox by now, wherever the
  // drain that takes them was posted from.
  asio::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    self->drain_inbox();
    self->begin_close(code, std::move(reason), false);
  });
}

void websocket_session::begin_close(std::uint16_t code, std::string reason, bool drop_queued) {
  if (!life_.enter(phase::closing))
    return;
  close_code_ = code;
  close_reason_ = std::move(reason);
  // A slow consumer is counted now, when the node cuts the client off, not when the close
  // handshake (or the 10 s timer) ends: an operator sees it at once (SPEC §2). finish()
  // counts every other code.
  if (code == codes::slow_consumer)
    state_->metrics().count_close(static_cast<std::size_t>(dialect_), code);
  // Keep only the write in flight: the close frame goes right after it.
  if (drop_queued)
    queue_.drop(ws_.next_layer().writing_frames());
  // Whatever holds the close up (a write the peer does not read, a peer that never answers),
  // the TCP connection goes after close_timeout.
  close_timer_.expires_after(state_->options().close_timeout);
  close_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->life_.closed())
      return;
    spdlog::debug("net: close handshake timed out id={} code={}", self->id_, self->close_code_);
    self->finish(self->close_code_);
  });
  maybe_close();
}

void websocket_session::maybe_close() {
  // Beast allows one write and one control frame at a time: wait for both to be done.
  if (life_.phase() != phase::closing || ws_.next_layer().writing_frames() ||
      pings_.ping_in_flight() || !queue_.empty())
    return;
  life_.enter(phase::close_sent);
  ping_timer_.cancel();
  if (!ws_.is_open())
    return; // the peer's close (or a failure) is under way: the pending read ends it
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_),
                                          clip_close_reason(close_reason_)),
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
  if (interval.count() <= 0 || life_.close_started())
    return;
  ping_timer_.expires_after(interval);
  ping_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    self->on_ping_timer(ec);
  });
}

void websocket_session::on_ping_timer(boost::system::error_code ec) {
  if (ec || life_.close_started())
    return;
  if (pings_.on_tick(ws_.is_open()) == ping_schedule::action::ping)
    ws_.async_ping({}, [self = shared_from_this()](boost::system::error_code ec) {
      self->on_ping(ec);
    });
  arm_ping();
}

void websocket_session::on_ping(boost::system::error_code ec) {
  pings_.on_ping_written();
  if (ec)
    fail(ec, "websocket ping"); // the pending read sees the same failure and ends the session
  maybe_close();
}

std::uint16_t websocket_session::end_code(const boost::system::error_code& ec) const {
  if (life_.close_started())
    return close_code_;
  // The peer's close frame was read (a write may fail before the read reports it).
  if (const auto code = ws_.reason().code; code != websocket::close_code::none)
    return code;
  if (ec == websocket::error::closed)
    return codes::no_status; // closed without a code
  // Beast has already sent these close frames itself.
  if (ec == websocket::error::message_too_big)
    return codes::too_big;
  if (ec == websocket::error::bad_frame_payload)
    return codes::bad_payload;
  if (ec.category() == websocket::make_error_code(websocket::error::closed).category())
    return codes::protocol_error;
  return codes::abnormal;
}

void websocket_session::finish(std::uint16_t code) {
  const auto was = life_.enter(phase::closed);
  if (!was)
    return;
  ping_timer_.cancel();
  close_timer_.cancel();
  // Drop what is queued; the frames of a write in flight go when its handler runs.
  queue_.drop(ws_.next_layer().writing_frames());
  // Beast can park a read (waiting to write 1007/1002 while our close holds the writer) and
  // our close (waiting for that read) on each other: neither would ever complete and their
  // handlers would keep this session alive. Closing the socket does not reach parked
  // operations; cancelling them does.
  read_cancel_.emit(asio::cancellation_type::terminal);
  close_cancel_.emit(asio::cancellation_type::terminal);
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).close(ignored);
  if (*was == phase::handshaking) // never opened
    return state_->release();

  state_->leave(id_);
  auto& m = state_->metrics();
  m.sessions[static_cast<std::size_t>(dialect_)].sub();
  // Once our close began, `code` is its code; begin_close() counted a 4009 already.
  if (close_code_ != codes::slow_consumer)
    m.count_close(static_cast<std::size_t>(dialect_), code);
  spdlog::debug("net: session closed id={} dialect={} code={}", id_, to_string(dialect_), code);
  // Drop our reference first: a sink holding its connection must not keep us alive.
  auto sink = std::move(sink_);
  if (sink)
    sink->on_closed(code);
  // Last: a shutdown waiting for every session may now be done.
  state_->release();
}

void websocket_session::abandon() {
  // Nothing runs any more: a Beast write waiting for ours would hold us forever.
  ws_.next_layer().drop_deferred();
  finish(end_code(asio::error::operation_aborted));
}

} // namespace coord::net
