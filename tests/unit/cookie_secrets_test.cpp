// control/cookie_secrets.hpp: cookies.secret-file read with file, line and reason, never
// echoing a secret.
#include "control/cookie_secrets.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ampguard {
namespace {

struct SecretFile {
  std::string path =
      std::filesystem::temp_directory_path() / ("ampguard_secrets_" + std::to_string(getpid()));
  explicit SecretFile(const std::string& text) { std::ofstream(path) << text; }
  ~SecretFile() { std::filesystem::remove(path); }
};

TEST(CookieSecrets, FirstIsCurrentOthersAccepted) {
  SecretFile f(
      "# rotated 2026-12-01\n"
      "  445536BCD2513298075A5D379663C962  # current\n"
      "\n"
      "e5e973e5a6b2a43f48e7dc849e37bfcf\n");
  CookieSecrets s;
  ASSERT_EQ(read_cookie_secrets(f.path, s), "");
  ASSERT_EQ(s.count, 2);
  EXPECT_EQ(s.key[0][0], 0x44);
  EXPECT_EQ(s.key[0][15], 0x62);
  EXPECT_EQ(s.key[1][0], 0xe5);
  EXPECT_EQ(s.key[1][15], 0xcf);
}

TEST(CookieSecrets, ErrorsNameFileAndLineButNeverTheSecret) {
  CookieSecrets s;
  {
    SecretFile f("e5e973e5a6b2a43f48e7dc849e37bfcf\ne5e973e5a6b2a43f48e7dc849e37bfc\n");
    EXPECT_EQ(read_cookie_secrets(f.path, s),
              f.path + ":2: a secret is 32 hex digits (128 bits), one a line");
  }
  {
    SecretFile f("e5e973e5a6b2a43f48e7dc849e37bfcg\n");
    EXPECT_EQ(read_cookie_secrets(f.path, s),
              f.path + ":1: a secret is 32 hex digits (128 bits), one a line");
  }
  {
    std::string nine;
    for (int i = 0; i < 9; ++i) nine += "e5e973e5a6b2a43f48e7dc849e37bfcf\n";
    SecretFile f(nine);
    EXPECT_EQ(read_cookie_secrets(f.path, s), f.path + ":9: more than 8 secrets");
  }
  {
    SecretFile f("# nothing yet\n");
    EXPECT_EQ(read_cookie_secrets(f.path, s), f.path + ": no secret");
  }
  EXPECT_EQ(read_cookie_secrets("/nonexistent/secrets", s), "/nonexistent/secrets: cannot be read");
}

}  // namespace
}  // namespace ampguard
