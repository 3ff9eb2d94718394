#include "app/store_transfer.hpp"

#include "actors/cluster/etcd_api.hpp"
#include "app/config.hpp"
#include "net/etcd_client.hpp"
#include "store/etcd_layout.hpp"
#include "store/settings_repository.hpp"

#include <cstdio>
#include <future>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

namespace coord::app {

namespace {

namespace etcd = actors::etcd;

int fail(const std::string& what) {
  std::fprintf(stderr, "coordinator store: %s\n", what.c_str());
  return 1;
}

const char* usage = "usage: coordinator store import --from=FILE [--cluster.etcd=URLS] "
                    "[--cluster.prefix=P] [--config-file=PATH]\n"
                    "       coordinator store export --to=FILE   [--cluster.etcd=URLS] "
                    "[--cluster.prefix=P] [--config-file=PATH]\n";

/// One call, waited for (this is a command-line tool, not a node: blocking is fine here).
net::etcd_reply call(net::etcd_client& client, const std::string& path, std::string body) {
  std::promise<net::etcd_reply> p;
  auto f = p.get_future();
  client.call(path, std::move(body), [&p](net::etcd_reply r) { p.set_value(std::move(r)); });
  return f.get();
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

int import_file(net::etcd_client& client, const store::etcd::layout& keys,
                const std::string& from) {
  if (!file_exists(from))
    return fail("import: " + from + " does not exist");
  std::vector<etcd::op> ops;
  std::size_t guilds = 0, supporters = 0;
  {
    store::settings_repository repo{from};
    for (const auto& s : repo.load_settings()) {
      ops.push_back({etcd::op::put, keys.guild_key(s.guild_id), store::etcd::encode_settings(s), 0});
      ++guilds;
    }
    for (auto id : repo.load_supporters()) {
      ops.push_back({etcd::op::put, keys.supporter_key(id), "{}", 0});
      ++supporters;
    }
  }
  for (std::size_t i = 0; i < ops.size(); i += 100) {
    std::vector<etcd::op> chunk(ops.begin() + i, ops.begin() + std::min(ops.size(), i + 100));
    auto r = call(client, "/v3/kv/txn", etcd::txn_request({}, chunk));
    if (!r.ok)
      return fail("import: etcd refused a write (" + (r.error.empty() ? r.body : r.error)
                  + "); " + std::to_string(i) + " of " + std::to_string(ops.size())
                  + " keys written");
  }
  std::printf("coordinator store: imported %zu guilds and %zu supporters from %s into %s\n",
              guilds, supporters, from.c_str(), keys.state().c_str());
  return 0;
}

int export_file(net::etcd_client& client, const store::etcd::layout& keys,
                const std::string& default_prefix, const std::string& to) {
  if (file_exists(to))
    return fail("export: " + to + " exists; give a new file");
  auto prefix = keys.state();
  auto r = call(client, "/v3/kv/range", etcd::range_request(prefix, net::prefix_range_end(prefix)));
  if (!r.ok)
    return fail("export: etcd did not answer the range (" + r.error + ")");
  auto range = etcd::parse_range(r.body);
  if (!range)
    return fail("export: etcd's answer is not JSON");
  store::settings_repository repo{to};
  std::size_t guilds = 0, supporters = 0, skipped = 0;
  for (const auto& k : range->kvs) {
    auto key = store::etcd::parse_state_key(keys, k.key);
    if (key.kind == store::etcd::state_key::guild) {
      auto s = store::etcd::decode_settings(k.value, key.id, default_prefix);
      if (!s) {
        ++skipped;
        continue;
      }
      repo.save_settings(*s);
      ++guilds;
    } else if (key.kind == store::etcd::state_key::supporter) {
      repo.add_supporter(key.id);
      ++supporters;
    } else {
      ++skipped;
    }
  }
  std::printf("coordinator store: exported %zu guilds and %zu supporters from %s (revision %lld) "
              "into %s; %zu keys skipped\n",
              guilds, supporters, prefix.c_str(), static_cast<long long>(range->revision),
              to.c_str(), skipped);
  return 0;
}

} // namespace

int run_store_command(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(usage, stderr);
    return 1;
  }
  std::string_view verb{argv[1]};
  if (verb == "--help" || verb == "-h") {
    std::fputs(usage, stdout);
    return 0;
  }
  if (verb != "import" && verb != "export") {
    std::fputs(usage, stderr);
    return 1;
  }
  std::string file;
  // --from/--to are ours; everything else goes to the node's configuration parser.
  std::vector<char*> rest{argv[0]};
  for (int i = 2; i < argc; ++i) {
    std::string_view a{argv[i]};
    if (a.rfind("--from=", 0) == 0 && verb == "import")
      file = std::string{a.substr(7)};
    else if (a.rfind("--to=", 0) == 0 && verb == "export")
      file = std::string{a.substr(5)};
    else
      rest.push_back(argv[i]);
  }
  if (file.empty())
    return fail(verb == "import" ? "import needs --from=FILE" : "export needs --to=FILE");
  config cfg;
  if (auto err = cfg.parse(static_cast<int>(rest.size()), rest.data(), "conf/coordinator.ini"))
    return fail("bad option: " + cfg.render(err));
  if (auto problem = cfg.validate(); !problem.empty())
    return fail(problem);
  if (!cfg.clustered())
    return fail("cluster.etcd is empty: name the etcd cluster (--cluster.etcd=http://host:port)");
  try {
    net::etcd_options eo;
    eo.endpoints = cfg.etcd_endpoints();
    eo.request_timeout = std::chrono::seconds(5);
    net::etcd_client client{std::move(eo)};
    store::etcd::layout keys{cfg.cluster_prefix};
    return verb == "import" ? import_file(client, keys, file)
                            : export_file(client, keys, cfg.default_prefix, file);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

} // namespace coord::app
