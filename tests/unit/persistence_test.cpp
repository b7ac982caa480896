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
  ASSERT_EQ(load_blocklist(path, back), "");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].address, "2001:db8::/64");
  EXPECT_EQ(back[1].expires_unix, 1700000600u);
  EXPECT_EQ(back[1].reason, "over-limit");
  std::filesystem::remove_all(dir);
}

TEST(Persistence, BadFilesAreReportedWithTheirLine) {
  const std::string path = temp_path("_bad");
  std::vector<SavedBlock> out;
  EXPECT_EQ(load_blocklist(path, out), "cannot read " + path + ": No such file or directory");
  std::ofstream(path) << "hello\n";
  EXPECT_EQ(load_blocklist(path, out),
            path +
                ":1: not an ampguard blocklist (expected '# ampguard blocklist v1: address "
                "expires-unix-seconds reason')");
  std::ofstream(path) << "# ampguard blocklist v1: address expires-unix-seconds reason\n"
                         "192.0.2.1 1700000000 manual\n192.0.2.2 soon manual\n";
  EXPECT_EQ(load_blocklist(path, out), path + ":3: expected 'ADDRESS EXPIRES-UNIX-SECONDS REASON'");
  EXPECT_TRUE(out.empty());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ampguard
