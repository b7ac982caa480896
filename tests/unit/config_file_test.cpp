// The line-by-line check of a config file on its own options: syntax, sections, keys, repeats,
// command-line-only options, Boost's conversion and the caller's value check, each located.
#include "control/config_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ampguard {
namespace {

namespace po = boost::program_options;

struct Options {
  uint32_t count = 1;
  std::string name = "x";
  std::vector<std::string> tags;
  std::string file;
  po::options_description desc;
  Options() {
    desc.add_options()("a.count", po::value(&count))("a.name", po::value(&name))(
        "tag", po::value(&tags)->composing())("file", po::value(&file));
  }
};

// The result for a file holding text, with its path replaced by "FILE".
std::string check(const std::string& text, std::map<std::string, std::string>* origin = nullptr,
                  std::vector<std::string>* checked = nullptr) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("ampguard_config_file_" + std::to_string(getpid()) + ".conf");
  std::ofstream(path) << text;
  Options o;
  std::map<std::string, std::string> where;
  std::string err = check_config_file(
      path, o.desc, {"file"},
      [&](const std::string& option, const std::string& value) -> std::string {
        if (checked) checked->push_back(option + "=" + value);
        return value == "bad" ? "is bad" : "";
      },
      where);
  std::filesystem::remove(path);
  if (origin) {
    for (auto& [option, at] : where) at = "FILE" + at.substr(path.size());
    *origin = where;
  }
  if (err.rfind(path, 0) == 0) err = "FILE" + err.substr(path.size());
  return err;
}

TEST(ConfigFile, GoodFileRecordsWhereEachValueCameFrom) {
  std::map<std::string, std::string> origin;
  std::vector<std::string> checked;
  ASSERT_EQ(check("# comment\n; also a comment\n\ntag = one\ntag = two  # trailing\n[a]\n"
                  "  count = 3\nname=  spaced out \n",
                  &origin, &checked),
            "");
  EXPECT_EQ(origin, (std::map<std::string, std::string>{
                        {"tag", "FILE:5"}, {"a.count", "FILE:7"}, {"a.name", "FILE:8"}}));
  // the caller's check sees each value trimmed, as written
  EXPECT_EQ(checked,
            (std::vector<std::string>{"tag=one", "tag=two", "a.count=3", "a.name=spaced out"}));
}

TEST(ConfigFile, ErrorsNameTheLineAndTheReason) {
  EXPECT_EQ(check("[b]\n"), "FILE:1: unknown section 'b'");
  EXPECT_EQ(check("[a\n"), "FILE:1: a section header ends with ']'");
  EXPECT_EQ(check("[a]\ncount 3\n"), "FILE:2: expected 'key = value', '[section]' or a comment");
  EXPECT_EQ(check("[a]\n= 3\n"), "FILE:2: no key before '='");
  EXPECT_EQ(check("[a]\nsize = 3\n"), "FILE:2: unknown option 'size' in section [a]");
  EXPECT_EQ(check("count = 3\n"), "FILE:1: unknown option 'count' above the first section");
  EXPECT_EQ(check("file = /x\n"), "FILE:1: file is a command-line option");
  EXPECT_EQ(check("[a]\ncount = 1\n\ncount = 2\n"), "FILE:4: a.count is already set on line 2");
  EXPECT_EQ(check("[a]\ncount = many\n"),
            "FILE:2: a.count: the argument ('many') for option 'a.count' is invalid");
  EXPECT_EQ(check("tag = ok\ntag = bad\n"), "FILE:2: tag: is bad");
  EXPECT_EQ(check("[\x01]\n"), "FILE:1: unknown section '\\x01'");
}

TEST(ConfigFile, UnreadableFile) {
  Options o;
  std::map<std::string, std::string> origin;
  EXPECT_EQ(check_config_file(
                "/nonexistent/x.conf", o.desc, {},
                [](const std::string&, const std::string&) { return std::string(); }, origin),
            "/nonexistent/x.conf: cannot read: No such file or directory");
}

}  // namespace
}  // namespace ampguard
