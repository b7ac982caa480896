// The blocklist file: round trip, atomic replacement, and exact reasons for bad files.
#include "control/persistence.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ampguard {
namespace {

std::string temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("ampguard_persist_" + std::to_string(getpid()) + name);
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Persistence, SavesAtomicallyAndLoadsBack) {
  const std::string dir = temp_path("_dir"), path = dir + "/sub/state";
  const std::vector<SavedBlock> entries = {{"192.0.2.7", 1700000000, "manual"},
                                           {"2001:db8::/64", 1700000600, "over-limit"}};
  ASSERT_EQ(save_blocklist(path, entries), "");
  EXPECT_EQ(read(path),
            "# ampguard blocklist v1: address expires-unix-seconds reason\n"
            "192.0.2.7 1700000000 manual\n2001:db8::/64 1700000600 over-limit\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(std::filesystem::status(path).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::vector<SavedBlock> back;
  std::vector<std::string> bad;
  ASSERT_EQ(load_blocklist(path, back, bad), "");
  EXPECT_TRUE(bad.empty());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].address, "2001:db8::/64");
  EXPECT_EQ(back[1].expires_unix, 1700000600u);
  EXPECT_EQ(back[1].reason, "over-limit");
  std::filesystem::remove_all(dir);
}

TEST(Persistence, BadLinesAreReportedWithTheirLineAndTheRestIsRead) {
  const std::string path = temp_path("_bad");
  std::vector<SavedBlock> out;
  std::vector<std::string> bad;
  EXPECT_EQ(load_blocklist(path, out, bad), "cannot read " + path + ": No such file or directory");
  std::ofstream(path) << "# ampguard blocklist v1: address expires-unix-seconds reason\n"
                         "192.0.2.1 1700000000 manual\n192.0.2.2 soon manual\n"
                         "192.0.2.3 1700000001 over-limit\n";
  EXPECT_EQ(load_blocklist(path, out, bad), "");
  ASSERT_EQ(out.size(), 2u);  // one bad byte loses one line, never the whole file
  EXPECT_EQ(out[0].address, "192.0.2.1");
  EXPECT_EQ(out[1].address, "192.0.2.3");
  EXPECT_EQ(bad,
            std::vector<std::string>{path + ":3: expected 'ADDRESS EXPIRES-UNIX-SECONDS REASON'"});
  std::filesystem::remove(path);
}

TEST(Persistence, AnUnknownHeaderMakesEveryLineBad) {
  const std::string path = temp_path("_v2");
  std::ofstream(path) << "# ampguard blocklist v2\n192.0.2.1 1700000000 manual\n";
  std::vector<SavedBlock> out;
  std::vector<std::string> bad;
  EXPECT_EQ(load_blocklist(path, out, bad), "");
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(bad,
            std::vector<std::string>{path + ":1: not an ampguard blocklist (expected '# ampguard "
                                            "blocklist v1: address expires-unix-seconds reason')"});
  std::filesystem::remove(path);
}

TEST(Persistence, KeepAsideKeepsTheBytesAndTheOriginal) {
  const std::string path = temp_path("_aside");
  std::ofstream(path) << "garbage\x01\n";
  std::string err;
  const std::string aside = keep_aside(path, 1700000000, err);
  EXPECT_EQ(aside, path + ".corrupt-1700000000");
  EXPECT_EQ(err, "");
  EXPECT_EQ(read(aside), "garbage\x01\n");
  EXPECT_EQ(read(path), "garbage\x01\n");
  // The next save replaces the original; the aside copy stays as it was.
  ASSERT_EQ(save_blocklist(path, {}), "");
  EXPECT_EQ(read(aside), "garbage\x01\n");
  std::filesystem::remove(path);
  std::filesystem::remove(aside);
}

}  // namespace
}  // namespace ampguard
