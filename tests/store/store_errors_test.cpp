#include "store/settings_repository.hpp"
#include "tests/store/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

using coord::proto::guild_settings;
using coord::store::settings_repository;
using coord::store::store_error;
using coord::store::test::is_one_line;
using coord::store::test::make_settings;
using coord::store::test::raw_db;
using coord::store::test::starts_with;
using coord::store::test::temp_dir;

namespace {

// What a child process saw when it opened a store and tried to save once.
struct write_attempt {
  char status = '?'; // C: open threw store_error, S: save threw store_error, N: no error,
                     // X: another exception, P: file modes do not stop this process (skip)
  std::string message;
};

// Opens `path` and saves once in a forked child. Root ignores file modes, so a root child
// first drops to nobody; if modes still do not stop a write (checked by trying), it reports
// 'P' and the caller skips.
write_attempt attempt_write_in_child(const std::string& path) {
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto report = [&](char status, const std::string& message) {
      const std::string out = status + message;
      [[maybe_unused]] auto n = ::write(fds[1], out.data(), out.size());
      ::_exit(0);
    };
    if (::geteuid() == 0) {
      const gid_t nobody = 65534;
      if (::setgroups(0, nullptr) != 0 || ::setgid(nobody) != 0 || ::setuid(nobody) != 0)
        report('P', "cannot drop root");
    }
    const int probe = ::open(path.c_str(), O_WRONLY);
    if (probe >= 0) {
      ::close(probe);
      report('P', "file modes do not stop writes here");
    }
    try {
      settings_repository repo(path);
      try {
        repo.save_settings(make_settings(42, "!"));
      } catch (const store_error& e) {
        report('S', e.what());
      }
      report('N', "");
    } catch (const store_error& e) {
      report('C', e.what());
    } catch (const std::exception& e) {
      report('X', e.what());
    }
    report('X', "unknown exception");
  }
  ::close(fds[1]);
  std::string got;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    got.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  write_attempt out;
  if (!got.empty()) {
    out.status = got[0];
    out.message = got.substr(1);
  }
  return out;
}

} // namespace


BOOST_AUTO_TEST_SUITE(store_error_tests)

BOOST_AUTO_TEST_CASE(newer_schema_version_is_refused_and_left_untouched) {
  temp_dir dir;
  const auto path = dir.file("future.db");
  {
    raw_db raw(path);
    raw.exec("CREATE TABLE something_new (x INTEGER); PRAGMA user_version = 2;");
  }
  try {
    settings_repository repo(path);
    BOOST_FAIL("opening a newer schema must throw");
  } catch (const store_error& e) {
    const std::string what = e.what();
    BOOST_TEST_MESSAGE(what);
    BOOST_TEST(starts_with(
      what, "store schema version 2 is newer than this coordinator supports (1)"));
    BOOST_TEST(what.find(path) != std::string::npos);
    BOOST_TEST(is_one_line(what));
  }
  raw_db raw(path);
  BOOST_TEST(raw.text("PRAGMA user_version") == "2");
  BOOST_TEST(raw.text("SELECT count(*) FROM sqlite_schema WHERE name = 'guild_settings'")
             == "0");
}

BOOST_AUTO_TEST_CASE(path_under_a_regular_file_is_refused_at_open) {
  temp_dir dir;
  std::ofstream(dir.file("plain")) << "not a directory";
  for (const auto& path : {dir.file("plain/x.db"), dir.file("plain/sub/x.db")}) {
    try {
      settings_repository repo(path);
      BOOST_FAIL("opening under a regular file must throw");
    } catch (const store_error& e) {
      const std::string what = e.what();
      BOOST_TEST_MESSAGE(what);
      BOOST_TEST(starts_with(what, "cannot open store \"" + path + "\": "));
      BOOST_TEST(is_one_line(what));
    }
  }
}

BOOST_AUTO_TEST_CASE(file_that_is_not_a_database_is_refused_at_open) {
  temp_dir dir;
  const auto path = dir.file("text.db");
  std::ofstream(path) << std::string(4096, 'x');
  try {
    settings_repository repo(path);
    BOOST_FAIL("opening a non-database must throw");
  } catch (const store_error& e) {
    const std::string what = e.what();
    BOOST_TEST_MESSAGE(what);
    BOOST_TEST(what == "cannot open store \"" + path + "\": file is not a database");
  }
}

BOOST_AUTO_TEST_CASE(read_only_file_in_read_only_directory_is_refused_at_open) {
  temp_dir dir;
  const auto sub = dir.path() / "ro";
  const auto path = (sub / "settings.db").string();
  {
    settings_repository repo(path);
    repo.save_settings(make_settings(1, "!"));
  }
  BOOST_REQUIRE(::chmod(path.c_str(), 0444) == 0);
  BOOST_REQUIRE(::chmod(sub.c_str(), 0555) == 0);
  const auto attempt = attempt_write_in_child(path);
  if (attempt.status == 'P') {
    BOOST_TEST_MESSAGE("skipped: " << attempt.message);
    return;
  }
  BOOST_TEST_MESSAGE(attempt.message);
  BOOST_TEST(attempt.status == 'C'); // refused at open, not at the first write
  BOOST_TEST(starts_with(attempt.message, "cannot open store \"" + path + "\": "));
  BOOST_TEST(is_one_line(attempt.message));
}

BOOST_AUTO_TEST_CASE(read_only_file_in_writable_directory_is_refused_at_open) {
  temp_dir dir;
  const auto path = dir.file("settings.db");
  {
    settings_repository repo(path);
    repo.save_settings(make_settings(1, "!"));
  }
  BOOST_REQUIRE(::chmod(path.c_str(), 0444) == 0);
  BOOST_REQUIRE(::chmod(dir.path().c_str(), 0777) == 0); // the child may run as nobody
  const auto attempt = attempt_write_in_child(path);
  if (attempt.status == 'P') {
    BOOST_TEST_MESSAGE("skipped: " << attempt.message);
    return;
  }
  BOOST_TEST_MESSAGE(attempt.message);
  BOOST_TEST(attempt.status == 'C');
  BOOST_TEST(starts_with(attempt.message, "cannot open store \"" + path + "\": "));
  BOOST_TEST(is_one_line(attempt.message));
}

BOOST_AUTO_TEST_CASE(failed_save_rolls_back_and_the_next_save_works) {
  temp_dir dir;
  const auto path = dir.file("trigger.db");
  settings_repository repo(path);
  repo.save_settings(make_settings(13, "before"));
  {
    // Another connection adds a trigger that fails the statement inside the transaction.
    raw_db raw(path);
    raw.exec("CREATE TRIGGER refuse_13 BEFORE UPDATE ON guild_settings "
             "WHEN NEW.guild_id = 13 BEGIN SELECT RAISE(ABORT, 'refused by test'); END;");
  }
  const auto commits_before = repo.commits();
  try {
    repo.save_settings(make_settings(13, "after"));
    BOOST_FAIL("the trigger must fail the save");
  } catch (const store_error& e) {
    BOOST_TEST(std::string(e.what())
               == "cannot save settings to store \"" + path + "\": refused by test");
  }
  BOOST_TEST(repo.commits() == commits_before);
  // No transaction was left open: the next saves and changes commit.
  repo.save_settings(make_settings(14, "next"));
  BOOST_TEST(repo.add_supporter(5));
  raw_db(path).exec("DROP TRIGGER refuse_13");
  repo.save_settings(make_settings(13, "after"));
  BOOST_TEST(repo.commits() == commits_before + 3);

  settings_repository reopened(path);
  const std::vector<guild_settings> expected{make_settings(13, "after"),
                                             make_settings(14, "next")};
  BOOST_TEST((reopened.load_settings() == expected));
}

BOOST_AUTO_TEST_SUITE_END()
