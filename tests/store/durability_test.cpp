#include "store/settings_repository.hpp"
#include "tests/store/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <string>

using coord::proto::guild_settings;
using coord::store::settings_repository;
using coord::store::test::temp_dir;

namespace {

constexpr std::uint32_t rows = 200;
constexpr std::size_t kill_after_acks = 100;

// One ack on the pipe. Acks are padded to 1 KiB and the pipe shrunk to one page, so the
// child can run at most a few acks ahead of the parent: the kill lands mid-run.
using ack_record = std::array<char, 1024>;

guild_settings settings_for(std::uint32_t i) {
  guild_settings s;
  s.guild_id = (std::uint64_t{1} << 63) + std::uint64_t{i} * 7919;
  s.prefix = "p" + std::to_string(i) + "\xE2\x9C\x93"; // "✓"
  s.dj_role_id = i;
  s.voice_channel_id = ~std::uint64_t{i};
  s.music_channel_id = std::uint64_t{i} << 32;
  s.music_enabled = i % 2 == 0;
  return s;
}

std::uint64_t supporter_for(std::uint32_t i) {
  return ~std::uint64_t{0} - 1000 + i;
}

// Ack code: 2*i after save_settings(i) returned, 2*i+1 after add_supporter(i) returned.
[[noreturn]] void run_child(const std::string& path, int ack_fd) {
  auto ack = [ack_fd](std::uint32_t code) {
    ack_record rec{};
    std::memcpy(rec.data(), &code, sizeof code);
    if (::write(ack_fd, rec.data(), rec.size()) != static_cast<ssize_t>(rec.size()))
      ::_exit(3);
  };
  try {
    settings_repository repo(path);
    for (std::uint32_t i = 0; i < rows; ++i) {
      repo.save_settings(settings_for(i));
      ack(2 * i);
      if (!repo.add_supporter(supporter_for(i)))
        ::_exit(2);
      ack(2 * i + 1);
    }
  } catch (...) {
    ::_exit(1);
  }
  ::_exit(0);
}

// Reads one whole record; false at end of stream.
bool read_ack(int fd, std::uint32_t& code) {
  ack_record rec{};
  std::size_t got = 0;
  while (got < rec.size()) {
    const ssize_t n = ::read(fd, rec.data() + got, rec.size() - got);
    if (n <= 0)
      return false;
    got += static_cast<std::size_t>(n);
  }
  std::memcpy(&code, rec.data(), sizeof code);
  return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(durability_tests)

BOOST_AUTO_TEST_CASE(acknowledged_changes_survive_kill_9) {
  temp_dir dir;
  const auto path = dir.file("durable.db");
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  ::fcntl(fds[1], F_SETPIPE_SZ, 4096); // best effort; see ack_record
  // No connection is open in this process across fork(), as SQLite requires.
  const pid_t pid = ::fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    run_child(path, fds[1]);
  }
  ::close(fds[1]);

  std::set<std::uint32_t> acked;
  std::uint32_t code = 0;
  while (acked.size() < kill_after_acks && read_ack(fds[0], code))
    acked.insert(code);
  BOOST_REQUIRE(::kill(pid, SIGKILL) == 0);
  int status = 0;
  BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
  // Acks written before the kill but not yet read count too.
  while (read_ack(fds[0], code))
    acked.insert(code);
  ::close(fds[0]);

  BOOST_TEST_MESSAGE("acks: " << acked.size() << " of " << 2 * rows << ", child "
                              << (WIFSIGNALED(status) ? "killed" : "had exited"));
  BOOST_TEST(acked.size() >= kill_after_acks);
  BOOST_WARN(WIFSIGNALED(status)); // else the kill came after the last save: still valid
  if (WIFEXITED(status))
    BOOST_TEST(WEXITSTATUS(status) == 0);

  settings_repository repo(path);
  std::map<std::uint64_t, guild_settings> stored;
  for (const auto& s : repo.load_settings())
    stored[s.guild_id] = s;
  const auto supporters_list = repo.load_supporters();
  const std::set<std::uint64_t> supporters(supporters_list.begin(), supporters_list.end());

  for (const auto c : acked) {
    const std::uint32_t i = c / 2;
    if (c % 2 == 0) {
      const auto it = stored.find(settings_for(i).guild_id);
      BOOST_TEST_REQUIRE((it != stored.end()), "acknowledged settings " << i << " lost");
      BOOST_TEST((it->second == settings_for(i)), "settings " << i << " differ");
    } else {
      BOOST_TEST(supporters.count(supporter_for(i)) == 1u, "acknowledged supporter " << i
                                                              << " lost");
    }
  }
  // Rows beyond the acks (a commit the kill interrupted before its ack) may exist; any
  // row that exists must be one the child wrote, intact.
  for (const auto& [id, s] : stored) {
    const std::uint32_t i = static_cast<std::uint32_t>((id - (std::uint64_t{1} << 63)) / 7919);
    BOOST_TEST((i < rows && s == settings_for(i)), "unexpected row " << id);
  }
  BOOST_TEST(stored.size() <= acked.size() / 2 + 1);
}

BOOST_AUTO_TEST_SUITE_END()
