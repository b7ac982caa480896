// gtest main for pipeline tests: one EAL per process, 4 KiB pages, no PCI, no shared files.
#include <gtest/gtest.h>
#include <rte_eal.h>

#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  bool listing = false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--gtest_list_tests", 18) == 0) listing = true;
  if (!listing) {
    std::vector<const char*> eal = {
        "pipeline_tests", "--no-huge", "--no-shconf", "--no-pci", "-l", "0,1", "-m", "512",
        "--log-level",    "*:error"};
    if (rte_eal_init(int(eal.size()), const_cast<char**>(eal.data())) < 0) return 2;
  }
  const int rc = RUN_ALL_TESTS();
  if (!listing) rte_eal_cleanup();
  return rc;
}
