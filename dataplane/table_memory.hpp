// TableMemory: the one allocation behind a table (TableCore's buckets, DebtSketch's lines).
//
// Zero-filled (all slots empty) and cache-line aligned, allocated once and never grown. With a
// socket (the EAL is up), DPDK memory there: hugepages the EAL locked, on the ports' NUMA node.
// Without one (unit tests and tools, no EAL), or when the DPDK heap has no room for it (not
// enough hugepages), anonymous mmap with MADV_HUGEPAGE: still works, just not NUMA-placed or
// locked, and memory() says so for the start-up line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ampguard {

// Where a table asks for memory: nullopt, anonymous mmap (no EAL); a socket id (SOCKET_ID_ANY
// included), DPDK memory on it.
using TableSocket = std::optional<int>;

class TableMemory {
 public:
  // Throws std::system_error (what() names the size) when neither DPDK nor mmap has the bytes.
  TableMemory(const char* name, size_t bytes, TableSocket socket = std::nullopt);
  ~TableMemory();
  TableMemory(const TableMemory&) = delete;
  TableMemory& operator=(const TableMemory&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  bool in_dpdk() const { return in_dpdk_; }
  // The socket the memory is on (in_dpdk() only), or the one asked for when the heap was short.
  int socket() const { return socket_; }
  bool asked_dpdk() const { return asked_dpdk_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  bool in_dpdk_ = false;
  bool asked_dpdk_ = false;
  int socket_ = -1;
};

// One start-up line: how much table memory is in DPDK memory, on which socket, and how much fell
// back to anonymous memory (with the DPDK heap's free space then). Needs the EAL when any asked.
std::string describe_table_memory(const std::vector<const TableMemory*>& tables);

}  // namespace ampguard
