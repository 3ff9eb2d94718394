#include "store/settings_repository.hpp"
#include "tests/store/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

using coord::proto::guild_settings;
using coord::store::settings_repository;
using coord::store::test::make_settings;
using coord::store::test::raw_db;
using coord::store::test::temp_dir;

namespace {

constexpr std::uint64_t max_id = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t high_bit = std::uint64_t{1} << 63;

} // namespace

BOOST_AUTO_TEST_SUITE(settings_repository_tests)

BOOST_AUTO_TEST_CASE(settings_survive_close_and_reopen_byte_exact) {
  temp_dir dir;
  const auto path = dir.file("nested/deeper/settings.db");

  guild_settings a = make_settings(high_bit + 5, "\xF0\x9F\x8E\xB5!"); // emoji + '!'
  a.dj_role_id = max_id;
  a.voice_channel_id = high_bit;
  a.music_channel_id = 1;
  a.music_enabled = false;
  guild_settings b = make_settings(max_id, "");
  for (int i = 0; i < 1000; ++i)
    b.prefix += "\xC3\xA9"; // "é": 2000 bytes, the longest prefix allowed
  BOOST_REQUIRE_EQUAL(b.prefix.size(), coord::proto::max_prefix_bytes);
  b.voice_channel_id = max_id - 1;
  guild_settings c = make_settings(1, "?");

  {
    settings_repository repo(path);
    repo.save_settings(c);
    repo.save_settings(a);
    repo.save_settings(b);
    c.prefix = "c!"; // a second save replaces the row
    c.music_enabled = false;
    repo.save_settings(c);
  }
  settings_repository repo(path);
  const std::vector<guild_settings> expected{c, a, b}; // ascending by unsigned guild id
  BOOST_TEST((repo.load_settings() == expected));

  // Stored as bit-cast signed INTEGERs and as TEXT of the exact byte length.
  raw_db raw(path);
  BOOST_TEST(raw.text("SELECT typeof(guild_id) FROM guild_settings WHERE guild_id = -1")
             == "integer");
  BOOST_TEST(raw.text("SELECT dj_role_id FROM guild_settings WHERE guild_id = "
                      "-9223372036854775803")
             == "-1");
  BOOST_TEST(raw.text("SELECT length(CAST(prefix AS BLOB)) FROM guild_settings "
                      "WHERE guild_id = -1")
             == "2000");
  BOOST_TEST(raw.text("SELECT typeof(prefix) FROM guild_settings WHERE guild_id = -1")
             == "text");
  BOOST_TEST(raw.text("SELECT count(*) FROM guild_settings WHERE updated_at > 0") == "3");
}

BOOST_AUTO_TEST_CASE(supporters_add_and_remove_report_changes_and_survive_reopen) {
  temp_dir dir;
  const auto path = dir.file("supporters.db");
  {
    settings_repository repo(path);
    BOOST_TEST(repo.add_supporter(7));
    BOOST_TEST(!repo.add_supporter(7));
    BOOST_TEST(repo.add_supporter(max_id));
    BOOST_TEST(repo.add_supporter(high_bit));
    BOOST_TEST(repo.add_supporter(3));
    BOOST_TEST(repo.add_supporter(0x7FFFFFFFFFFFFFFF));
    BOOST_TEST(!repo.remove_supporter(8));
    BOOST_TEST(repo.remove_supporter(3));
    BOOST_TEST(!repo.remove_supporter(3));
    const std::vector<std::uint64_t> expected{7, 0x7FFFFFFFFFFFFFFF, high_bit, max_id};
    BOOST_TEST(repo.load_supporters() == expected, boost::test_tools::per_element());
  }
  settings_repository repo(path);
  const std::vector<std::uint64_t> expected{7, 0x7FFFFFFFFFFFFFFF, high_bit, max_id};
  BOOST_TEST(repo.load_supporters() == expected, boost::test_tools::per_element());
  BOOST_TEST(!repo.add_supporter(max_id));
  BOOST_TEST(repo.remove_supporter(max_id));
  BOOST_TEST(repo.load_supporters().size() == 3u);
}

BOOST_AUTO_TEST_CASE(new_store_has_schema_version_1_and_wal_mode) {
  temp_dir dir;
  const auto path = dir.file("fresh.db");
  settings_repository repo(path);
  BOOST_TEST(repo.schema_version() == 1);
  BOOST_TEST(repo.path() == path);
  BOOST_TEST(repo.load_settings().empty());
  BOOST_TEST(repo.load_supporters().empty());

  raw_db raw(path);
  BOOST_TEST(raw.text("PRAGMA journal_mode") == "wal");
  BOOST_TEST(raw.text("PRAGMA user_version") == "1");
  BOOST_TEST(raw.text("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                      "('guild_settings', 'supporters')")
             == "2");
}

BOOST_AUTO_TEST_CASE(thousand_saves_reload_equal) {
  temp_dir dir;
  const auto path = dir.file("many.db");
  std::map<std::uint64_t, guild_settings> expected;
  {
    settings_repository repo(path);
    for (std::uint64_t i = 0; i < 1000; ++i) {
      guild_settings s = make_settings(i * 1'000'003 + ((i % 2) != 0 ? high_bit : 0),
                                       "p" + std::to_string(i));
      s.dj_role_id = max_id - i;
      s.voice_channel_id = i;
      s.music_channel_id = i * 3;
      s.music_enabled = i % 3 != 0;
      repo.save_settings(s);
      expected[s.guild_id] = s;
    }
    BOOST_TEST(repo.load_settings().size() == 1000u);
  }
  settings_repository repo(path);
  std::vector<guild_settings> want;
  for (const auto& [id, s] : expected)
    want.push_back(s);
  BOOST_TEST((repo.load_settings() == want));
}

BOOST_AUTO_TEST_CASE(commits_counts_committed_transactions) {
  temp_dir dir;
  const auto path = dir.file("commits.db");
  {
    settings_repository repo(path);
    BOOST_TEST(repo.commits() == 1u); // the schema migration
    repo.save_settings(make_settings(1, "!"));
    BOOST_TEST(repo.commits() == 2u);
    BOOST_TEST(repo.add_supporter(9));
    BOOST_TEST(!repo.add_supporter(9)); // a transaction that changed nothing still commits
    BOOST_TEST(repo.remove_supporter(9));
    BOOST_TEST(repo.commits() == 5u);
    repo.load_settings();
    repo.load_supporters();
    BOOST_TEST(repo.commits() == 5u); // reads are not transactions of ours
  }
  settings_repository repo(path);
  BOOST_TEST(repo.commits() == 0u); // up to date: nothing migrated, the write probe rolled back
}

BOOST_AUTO_TEST_SUITE_END()
