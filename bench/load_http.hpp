#pragma once
// load: one blocking HTTP/1.1 request to the node (setup and final checks only, never while
// a measurement runs): the admin API and /metrics.

#include <string>

namespace load {

struct http_answer {
  int status = 0; // 0: no answer (connect failed, timeout)
  std::string body;
};

/// METHOD path on 127.0.0.1:port with `Connection: close`; gives up after 5 s.
http_answer http_request(unsigned short port, const std::string& method, const std::string& path,
                         const std::string& authorization = {}, const std::string& body = {});

/// The value of one sample line `name{labels} value` in a Prometheus text, or -1.
long long prometheus_value(const std::string& text, const std::string& series);

} // namespace load
