// etcd_client's watch streams: POST /v3/watch answers with a chunked body of newline-delimited
// JSON objects, one per watch response, for as long as the connection lives.

#include "net/etcd_ops.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace coord::net::etcd_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

/// A line longer than this is a broken peer (a watch response is one line).
constexpr std::size_t max_line_bytes = 64u << 20;

/// etcd writes int64 as JSON strings ("42"); numbers are taken too. 0 when absent or bad.
std::int64_t int64_of(const json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  if (!v)
    return 0;
  if (const auto* i = v->if_int64())
    return *i;
  if (const auto* u = v->if_uint64())
    return static_cast<std::int64_t>(*u);
  if (const auto* s = v->if_string()) {
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && end == s->data() + s->size())
      return out;
  }
  return 0;
}

bool bool_of(const json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

/// `bytes` fit for a one-line log: printable ASCII kept, the rest as \xNN.
std::string printable(std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

/// The mod_revision of one event (a delete event's kv carries the deletion's revision).
std::int64_t event_revision(const json::value& event) {
  const auto* ev = event.if_object();
  const auto* kv = ev ? ev->if_contains("kv") : nullptr;
  return kv && kv->is_object() ? int64_of(kv->get_object(), "mod_revision") : 0;
}

} // namespace

void watch_handle::cancel() {
  {
    // Waits for a callback running on the io thread: none starts once this returns.
    std::lock_guard lock(st_->cb_mtx);
    if (st_->cancelled.exchange(true))
      return;
  }
  // Close the stream from the io thread, where its socket lives.
  if (auto c = core_.lock())
    asio::post(c->ioc, [st = st_] {
      if (auto op = st->op.lock())
        op->stop();
    });
}

std::string watch_handle::endpoint() const {
  std::lock_guard lock(st_->endpoint_mtx);
  return st_->endpoint;
}

watch_op::watch_op(core& c, std::shared_ptr<watch_state> st)
  : core_(c), st_(std::move(st)), key_for_log_(printable(st_->key)), resolver_(c.ioc),
    socket_(c.ioc), timer_(c.ioc) {}

template <class F> void watch_op::deliver(const char* what, F&& f) {
  std::lock_guard lock(st_->cb_mtx);
  if (st_->cancelled)
    return;
  try {
    f();
  } catch (const std::exception& e) {
    spdlog::warn("etcd: watch {} callback threw error=\"{}\"", what, e.what());
  } catch (...) {
    spdlog::warn("etcd: watch {} callback threw", what);
  }
}

void watch_op::start() {
  next_ = core_.preferred % core_.endpoints.size();
  open();
}

void watch_op::stop() {
  stopped_ = true;
  ++attempt_id_;
  resolver_.cancel();
  timer_.cancel();
  close_socket();
}

void watch_op::close_socket() {
  error_code ignored;
  socket_.close(ignored);
}

void watch_op::open() {
  if (stopped_ || st_->cancelled)
    return;
  current_ = next_;
  next_ = (next_ + 1) % core_.endpoints.size();
  const auto& ep = core_.endpoints[current_];
  {
    std::lock_guard lock(st_->endpoint_mtx);
    st_->endpoint = ep.url;
  }
  const auto id = ++attempt_id_;
  timed_out_ = false;
  created_ = false;
  pending_.clear();
  buffer_.clear();
  close_socket();
  parser_.emplace();
  parser_->body_limit(boost::none); // the stream lasts as long as the watch

  json::object create{{"key", base64_encode(st_->key)}};
  if (!st_->range_end.empty())
    create["range_end"] = base64_encode(st_->range_end);
  if (const auto rev = st_->next_rev.load(); rev > 0)
    create["start_revision"] = rev;
  req_ = {http::verb::post, "/v3/watch", 11};
  req_.set(http::field::host, ep.host + ":" + ep.port);
  req_.set(http::field::content_type, "application/json");
  // grpc-gateway passes Grpc-Metadata-* headers on as gRPC metadata: "hasleader" is what
  // clientv3's WithRequireLeader sends, so a member cut off from its leader ends the stream
  // (and the watch moves on) instead of staying silent forever.
  req_.set("Grpc-Metadata-hasleader", "true");
  req_.body() = json::serialize(json::object{{"create_request", std::move(create)}});
  req_.prepare_payload();

  // Until etcd confirms the watch, the request timeout applies; after that the stream may
  // stay silent for as long as nothing changes.
  timer_.expires_after(core_.request_timeout);
  timer_.async_wait([self = shared_from_this(), id](error_code ec) {
    if (ec || id != self->attempt_id_ || self->created_)
      return;
    self->timed_out_ = true;
    self->resolver_.cancel();
    self->close_socket();
  });
  resolver_.async_resolve(
    ep.host, ep.port,
    [self = shared_from_this(), id](error_code ec, const tcp::resolver::results_type& results) {
      if (id != self->attempt_id_)
        return;
      if (ec || self->timed_out_)
        return self->broken("resolve: " + ec.message());
      asio::async_connect(self->socket_, results, [self, id](error_code ec, const tcp::endpoint&) {
        if (id != self->attempt_id_)
          return;
        if (ec)
          return self->broken("connect: " + ec.message());
        self->on_connected();
      });
    });
}

void watch_op::on_connected() {
  const auto id = attempt_id_;
  // The create request, then the response header; the body is the stream.
  http::async_write(socket_, req_, [self = shared_from_this(), id](error_code ec, std::size_t) {
    if (id != self->attempt_id_)
      return;
    if (ec)
      return self->broken("write: " + ec.message());
    http::async_read_header(self->socket_, self->buffer_, *self->parser_,
                            [self, id](error_code ec, std::size_t) {
                              if (id != self->attempt_id_)
                                return;
                              if (ec)
                                return self->broken("read: " + ec.message());
                              self->on_header();
                            });
  });
}

void watch_op::on_header() {
  const auto status = parser_->get().result_int();
  if (status != 200)
    return broken("HTTP " + std::to_string(status));
  read_more();
}

void watch_op::read_more() {
  auto& body = parser_->get().body();
  body.data = chunk_.data();
  body.size = chunk_.size();
  body.more = true;
  const auto id = attempt_id_;
  // Whatever part of the body arrives: lines are cut here, not by the chunking.
  http::async_read_some(socket_, buffer_, *parser_,
                        [self = shared_from_this(), id](error_code ec, std::size_t) {
                          if (id != self->attempt_id_)
                            return;
                          self->on_read(ec);
                        });
}

void watch_op::on_read(error_code ec) {
  if (ec == http::error::need_buffer)
    ec = {};
  if (ec)
    return broken("read: " + ec.message());
  const auto got = chunk_.size() - parser_->get().body().size;
  pending_.append(chunk_.data(), got);
  std::size_t begin = 0;
  for (auto nl = pending_.find('\n'); nl != std::string::npos;
       nl = pending_.find('\n', begin)) {
    const std::string_view line(pending_.data() + begin, nl - begin);
    begin = nl + 1;
    if (line.find_first_not_of(" \r\t") == std::string_view::npos)
      continue;
    if (!on_line(line))
      return;
  }
  pending_.erase(0, begin);
  if (pending_.size() > max_line_bytes)
    return broken("a watch response longer than 64 MiB");
  if (parser_->is_done())
    return broken("the stream ended");
  read_more();
}

bool watch_op::on_line(std::string_view line) {
  error_code ec;
  auto value = json::parse(line, ec);
  if (ec || !value.is_object()) {
    broken("a line that is not a JSON object");
    return false;
  }
  auto& obj = value.get_object();
  if (const auto* err = obj.if_contains("error")) {
    // grpc-gateway ends a failed stream with {"error":{"grpc_code":..,"message":..}}.
    const auto* e = err->if_object();
    const auto* msg = e ? e->if_contains("message") : nullptr;
    broken(std::string("etcd error: ") +
           (msg && msg->is_string() ? std::string(msg->get_string()) : json::serialize(*err)));
    return false;
  }
  auto* result_v = obj.if_contains("result");
  if (!result_v || !result_v->is_object())
    return true; // nothing we know: skip
  auto& result = result_v->get_object();

  if (bool_of(result, "canceled")) {
    if (const auto compact = int64_of(result, "compact_revision"); compact > 0) {
      stopped_ = true;
      ++attempt_id_;
      timer_.cancel();
      close_socket();
      spdlog::warn("etcd: watch key={} compacted compact_revision={} next_revision={}",
                   key_for_log_, compact, st_->next_rev.load());
      deliver("on_compacted", [&] {
        if (st_->cb.on_compacted)
          st_->cb.on_compacted(compact);
      });
      return false;
    }
    const auto* reason = result.if_contains("cancel_reason");
    broken("canceled by etcd: " +
           (reason && reason->is_string() ? std::string(reason->get_string()) : std::string("?")));
    return false;
  }

  if (bool_of(result, "created")) {
    created_ = true;
    timer_.cancel();
    // A watch "from now" starts at the created answer's header revision + 1 (etcd's
    // v3rpc: rev = wsrev + 1, the header carries wsrev): a reopen resumes there.
    if (st_->next_rev.load() == 0) {
      const auto* header = result.if_contains("header");
      if (header && header->is_object())
        if (const auto rev = int64_of(header->get_object(), "revision"); rev > 0)
          st_->next_rev = rev + 1;
    }
    core_.preferred = current_;
    spdlog::debug("etcd: watch key={} open endpoint={} start_revision={}", key_for_log_,
                  core_.endpoints[current_].url, st_->next_rev.load());
    report_state(true);
    return !stopped_;
  }

  auto* events_v = result.if_contains("events");
  if (!events_v || !events_v->is_array() || events_v->get_array().empty())
    return true; // a progress notification
  auto& events = events_v->get_array();
  // Never hand out an event twice, even from a member that sends what we already had.
  const auto from = st_->next_rev.load();
  if (from > 0)
    events.erase(std::remove_if(events.begin(), events.end(),
                                [&](const json::value& e) { return event_revision(e) < from; }),
                 events.end());
  if (events.empty())
    return true;
  if (const auto last = event_revision(events.back()); last > 0)
    st_->next_rev = last + 1;
  deliver("on_events", [&] {
    if (st_->cb.on_events)
      st_->cb.on_events(json::serialize(result));
  });
  return !stopped_;
}

void watch_op::broken(const std::string& why) {
  ++attempt_id_;
  timer_.cancel();
  close_socket();
  if (stopped_ || st_->cancelled)
    return;
  const auto& url = core_.endpoints[current_].url;
  const auto reason = timed_out_ ? std::string("timeout") : why;
  if (reported_ == 1)
    spdlog::warn("etcd: watch key={} broken endpoint={} error=\"{}\" next_revision={}",
                 key_for_log_, url, reason, st_->next_rev.load());
  else
    spdlog::debug("etcd: watch key={} open failed endpoint={} error=\"{}\"", key_for_log_, url,
                  reason);
  report_state(false);
  // Reopen on the next endpoint after a pause (a dead cluster is not hammered).
  const auto id = attempt_id_;
  timer_.expires_after(core_.watch_retry);
  timer_.async_wait([self = shared_from_this(), id](error_code ec) {
    if (ec || id != self->attempt_id_)
      return;
    self->open();
  });
}

void watch_op::report_state(bool open) {
  if (reported_ == static_cast<int>(open))
    return;
  reported_ = open;
  deliver("on_state", [&] {
    if (st_->cb.on_state)
      st_->cb.on_state(open);
  });
}

} // namespace coord::net::etcd_detail
