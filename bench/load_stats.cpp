#include "load_stats.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

namespace load {

std::atomic<const char*> g_phase{"start"};

void die(int code, const std::string& msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "load: %s\n", msg.c_str());
  std::fflush(stderr);
  std::_Exit(code);
}

void latency_metrics(const std::string& prefix, std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (auto x : v)
    sum += x;
  metric(prefix + "_samples", v.size());
  metric(prefix + "_p50_ms", percentile(v, 50));
  metric(prefix + "_p99_ms", percentile(v, 99));
  metric(prefix + "_max_ms", v.empty() ? 0.0 : v.back());
  metric(prefix + "_mean_ms", v.empty() ? 0.0 : sum / static_cast<double>(v.size()));
}

long rss_kb(long pid) {
  if (pid <= 0)
    return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

double cpu_seconds(long pid) {
  if (pid <= 0)
    return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces: fields count from the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos)
    return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i)
    if (i == 14 || i == 15)
      ticks += std::strtod(f.c_str(), nullptr);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

long long tcp_ext_counter(const std::string& name) {
  // Two TcpExt lines: the names, then the values in the same order.
  std::ifstream in("/proc/net/netstat");
  std::string names, values;
  while (std::getline(in, names)) {
    if (names.rfind("TcpExt:", 0) != 0)
      continue;
    if (!std::getline(in, values))
      return -1;
    std::istringstream n(names), v(values);
    std::string key, value;
    while (n >> key && v >> value)
      if (key == name)
        return std::atoll(value.c_str());
    return -1;
  }
  return -1;
}

std::vector<double> parse_list(const std::string& text, const char* what) {
  std::vector<double> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto comma = text.find(',', at);
    auto item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    char* end = nullptr;
    double v = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size())
      die(1, std::string("bad list for ") + what + ": " + text);
    out.push_back(v);
    if (comma == std::string::npos)
      break;
    at = comma + 1;
  }
  return out;
}

} // namespace load
