#include "load_http.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdlib>

namespace load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

http_answer http_request(unsigned short port, const std::string& method, const std::string& path,
                         const std::string& authorization, const std::string& body) {
  // A private io_context: run_for bounds the whole exchange.
  asio::io_context io{1};
  tcp::socket socket{io};
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:"
                        + std::to_string(port) + "\r\nConnection: close\r\n";
  if (!authorization.empty())
    request += "Authorization: " + authorization + "\r\n";
  if (!body.empty())
    request += "Content-Type: application/json\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string reply;
  tcp::endpoint ep{asio::ip::make_address_v4("127.0.0.1"), port};
  socket.async_connect(ep, [&](const boost::system::error_code& ec) {
    if (ec)
      return;
    asio::async_write(socket, asio::buffer(request),
                      [&](const boost::system::error_code& ec, std::size_t) {
                        if (ec)
                          return;
                        // The server closes after the answer (Connection: close).
                        asio::async_read(socket, asio::dynamic_buffer(reply),
                                         [](const boost::system::error_code&, std::size_t) {});
                      });
  });
  io.run_for(std::chrono::seconds(5));
  http_answer a;
  if (reply.rfind("HTTP/1.1 ", 0) != 0)
    return a;
  a.status = std::atoi(reply.c_str() + 9);
  auto head_end = reply.find("\r\n\r\n");
  if (head_end != std::string::npos)
    a.body = reply.substr(head_end + 4);
  return a;
}

long long prometheus_value(const std::string& text, const std::string& series) {
  std::size_t at = 0;
  while ((at = text.find(series, at)) != std::string::npos) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const auto after = at + series.size();
    if (line_start && after < text.size() && text[after] == ' ')
      return std::atoll(text.c_str() + after + 1);
    at = after;
  }
  return -1;
}

} // namespace load
