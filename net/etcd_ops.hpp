#pragma once
// The insides of etcd_client (private header): the io thread's state, one unary call, one
// watch stream. Everything here runs on the client's io thread unless said otherwise.

#include "net/etcd_client.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <atomic>
#include <mutex>
#include <thread>

namespace coord::net::etcd_detail {

/// One validated "http://host:port".
struct endpoint_url {
  std::string url;
  std::string host;
  std::string port;
};

/// Throws std::invalid_argument (one line) unless `url` is "http://host:port".
endpoint_url parse_endpoint(const std::string& url);

/// What the io thread owns; etcd_client::impl is this.
struct core {
  core(std::vector<endpoint_url> eps, std::chrono::milliseconds timeout,
       std::chrono::milliseconds retry)
    : endpoints(std::move(eps)), request_timeout(timeout), watch_retry(retry) {}

  /// The io thread's body.
  void run();

  // First member, so destroyed last: the handlers it still holds own the calls and
  // watches, whose sockets and timers must go before it.
  boost::asio::io_context ioc{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
    ioc.get_executor()};
  const std::vector<endpoint_url> endpoints;
  const std::chrono::milliseconds request_timeout;
  const std::chrono::milliseconds watch_retry;
  /// The endpoint that answered last (a call and a reopened watch start there).
  std::size_t preferred = 0;
  /// Set only when the client is destroyed from its own io thread.
  std::shared_ptr<core> keep_alive;
  std::thread thread;
};

/// A POST tried on each endpoint at most once, from the preferred one on.
class call_op : public std::enable_shared_from_this<call_op> {
public:
  call_op(core& c, std::string path, std::string body, std::function<void(etcd_reply)> done,
          std::chrono::milliseconds timeout);
  void start();

private:
  void attempt();
  void on_connected();
  void on_answer();
  void attempt_failed(const boost::system::error_code& ec, const char* what);
  void finish(etcd_reply reply);

  core& core_;
  std::string path_;
  std::string body_;
  std::function<void(etcd_reply)> done_;
  std::chrono::milliseconds timeout_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::beast::http::request<boost::beast::http::string_body> req_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  std::size_t next_ = 0;    ///< the endpoint the next attempt uses
  std::size_t current_ = 0; ///< the endpoint of the attempt in flight
  std::size_t tried_ = 0;
  std::uint64_t attempt_id_ = 0;
  bool timed_out_ = false;
  std::string errors_; ///< "endpoint: what" of each failed attempt, "; "-separated
};

class watch_op;

/// What a watch handle and its stream share (any thread).
struct watch_state {
  std::string key;
  std::string range_end;
  etcd_watch_callbacks cb;
  /// Held while a callback runs, so cancel() from another thread returns only once no
  /// callback runs or will run. Recursive: a callback may cancel its own watch.
  std::recursive_mutex cb_mtx;
  std::atomic<bool> cancelled{false};
  std::atomic<std::int64_t> next_rev{0};
  mutable std::mutex endpoint_mtx;
  std::string endpoint;
  std::weak_ptr<watch_op> op; ///< io thread only
};

/// The etcd_watch the caller holds; dropping it cancels.
class watch_handle final : public etcd_watch {
public:
  watch_handle(std::weak_ptr<core> c, std::shared_ptr<watch_state> st)
    : core_(std::move(c)), st_(std::move(st)) {}
  ~watch_handle() override { cancel(); }
  void cancel() override;
  std::int64_t next_revision() const override { return st_->next_rev.load(); }
  std::string endpoint() const override;

private:
  std::weak_ptr<core> core_;
  std::shared_ptr<watch_state> st_;
};

/// One watch: open the stream, read it line by line, reopen on the next endpoint on a break.
class watch_op : public std::enable_shared_from_this<watch_op> {
public:
  watch_op(core& c, std::shared_ptr<watch_state> st);
  void start();
  /// Ends the watch for good (cancel, client gone): closes the socket.
  void stop();

private:
  void open();
  void on_connected();
  void on_header();
  void read_more();
  void on_read(boost::system::error_code ec);
  /// Handles one JSON line; false when the stream must not be read further.
  bool on_line(std::string_view line);
  void broken(const std::string& why);
  void report_state(bool open);
  void close_socket();
  /// Runs `f` unless the watch was cancelled; a throwing callback is logged, never rethrown.
  template <class F> void deliver(const char* what, F&& f);

  core& core_;
  std::shared_ptr<watch_state> st_;
  std::string key_for_log_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::beast::http::request<boost::beast::http::string_body> req_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser_;
  std::array<char, 16384> chunk_{};
  std::string pending_; ///< bytes of the stream not yet split into lines
  std::size_t next_ = 0;
  std::size_t current_ = 0;
  std::uint64_t attempt_id_ = 0;
  bool timed_out_ = false;
  bool created_ = false;
  bool stopped_ = false;
  int reported_ = -1; ///< the last on_state value reported; -1 none yet
};

} // namespace coord::net::etcd_detail
