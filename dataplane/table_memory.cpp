#include "dataplane/table_memory.hpp"

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <set>
#include <system_error>

namespace ampguard {

namespace {

std::string mib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1 << 20));
  return buf;
}

std::string socket_list(const std::set<int>& sockets) {
  std::string s = sockets.size() > 1 ? "sockets " : "socket ";
  for (auto it = sockets.begin(); it != sockets.end(); ++it) {
    if (it != sockets.begin()) s += ',';  // appended apart: GCC 12 -O3 warns on "," + string
    s += std::to_string(*it);
  }
  return s;
}

}  // namespace

TableMemory::TableMemory(const char* name, size_t bytes, TableSocket socket) : bytes_(bytes) {
  if (socket) {
    asked_dpdk_ = true;
    socket_ = *socket;
    data_ = rte_zmalloc_socket(name, bytes, RTE_CACHE_LINE_SIZE, *socket);
    if (data_ != nullptr) {
      in_dpdk_ = true;
      // SOCKET_ID_ANY: the heap picked one; report where the memory really is
      if (const rte_memseg* ms = rte_mem_virt2memseg(data_, nullptr); ms != nullptr)
        socket_ = ms->socket_id;
      return;
    }
  }
  // anonymous mmap: page-aligned and zero-filled, one allocation for life
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)  // the start reports it: a smaller max-entries, or more memory
    throw std::system_error(errno, std::generic_category(),
                            "cannot allocate " + mib(bytes) + " for a table");
  madvise(p, bytes, MADV_HUGEPAGE);  // fewer TLB misses on random probes; best effort
  data_ = p;
}

TableMemory::~TableMemory() {
  if (in_dpdk_)
    rte_free(data_);
  else
    munmap(data_, bytes_);
}

std::string describe_table_memory(const std::vector<const TableMemory*>& tables) {
  size_t dpdk = 0, anon = 0;
  std::set<int> on, short_on;
  for (const TableMemory* t : tables) {
    if (t->in_dpdk()) {
      dpdk += t->bytes(), on.insert(t->socket());
    } else {
      anon += t->bytes();
      if (t->asked_dpdk()) short_on.insert(t->socket());
    }
  }
  // --no-huge: DPDK memory, but not hugepages; the line must not claim them
  const char* kind = rte_eal_has_hugepages() ? "hugepages" : "DPDK memory (no hugepages)";
  std::string line = "ampguard: tables: ";
  if (dpdk != 0) line += mib(dpdk) + " in " + kind + " on " + socket_list(on);
  if (anon != 0) {
    if (dpdk != 0) line += ", ";
    line += mib(anon) + " in anonymous memory";
    if (!short_on.empty()) {
      std::set<int> heaps;  // SOCKET_ID_ANY: every socket's heap was tried
      for (int s : short_on)
        if (s >= 0)
          heaps.insert(s);
        else
          for (unsigned i = 0; i < rte_socket_count(); ++i) heaps.insert(rte_socket_id_by_idx(i));
      size_t free_bytes = 0;
      for (int s : heaps) {
        rte_malloc_socket_stats st{};
        if (rte_malloc_get_socket_stats(s, &st) == 0) free_bytes += st.heap_freesz_bytes;
      }
      line += std::string(" (") + (rte_eal_has_hugepages() ? "hugepages" : "DPDK memory") +
              " short: " + mib(free_bytes) + " free)";
    }
  }
  return line;
}

}  // namespace ampguard
