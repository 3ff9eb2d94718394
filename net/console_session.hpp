#pragma once
// One debug console connection, and what it shares with the console_server (private
// header: Asio).
//
// One io thread runs the io_context, so the handlers of every connection are serialised
// without strands; answers from other threads are posted onto it.

#include "net/console_server.hpp"
#include "net/shared_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace coord::net {

class console_session;

/// What the server and every connection share; owned through shared_ptr by both, so the
/// io_context outlives every socket, including connections a held reply keeps alive.
struct console_core {
  console_core(console_options o, console_hook h) : opts(std::move(o)), hook(std::move(h)) {}

  io_context_owner ioc{1};
  const console_options opts;
  console_hook hook;               // io thread only; cleared after stop
  std::string address;             // "host:port", set before the io thread starts
  std::atomic<bool> stopped{false};
  std::mutex mtx;                  // guards sessions (sessions end on any thread)
  std::unordered_map<console_session*, std::weak_ptr<console_session>> sessions;
};

/// One console client: reads a line, hands it to the hook, writes its answer, reads on.
class console_session : public std::enable_shared_from_this<console_session> {
public:
  console_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<console_core> core);
  ~console_session();

  /// Registers with the core and starts reading (io thread).
  void run();

  /// Writes an answer (any thread): hops onto the io thread; dropped after stop.
  void deliver(std::string text, bool close_after);

  /// Closes the socket at once (server stop; no io thread runs).
  void abandon();

  std::atomic<bool> authenticated{false};
  const std::string& remote() const noexcept { return remote_; }
  const std::string& listener() const noexcept { return core_->address; }

private:
  void next();
  void do_read();
  void write(const std::string& text, bool close_after);
  void do_close();
  void do_drain();

  std::shared_ptr<console_core> core_; // first: owns the io_context the socket uses
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;   // bounds the drain after an answer that closes
  const std::string remote_;
  std::string in_;  // bytes read and not yet handed over
  std::string out_; // the answer being written
  std::array<char, 4096> chunk_{};
};

/// The answer as written: no '\r', no empty line inside, then one empty line.
std::string frame_console_answer(const std::string& text);

} // namespace coord::net
