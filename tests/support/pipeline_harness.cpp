#include "support/pipeline_harness.hpp"

#include <gtest/gtest.h>
#include <rte_eth_ring.h>
#include <rte_mbuf.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "dataplane/ports.hpp"

namespace ampguard::test {

PipelineHarness::PipelineHarness(Settings settings) {
  static const char* names[kPortSides] = {"inside", "outside"};
  for (unsigned p = 0; p < kPortSides; ++p) {
    const std::string n = names[p];
    rx_[p] =
        rte_ring_create(("rx_" + n).c_str(), 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    tx_[p] =
        rte_ring_create(("tx_" + n).c_str(), 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (rx_[p] == nullptr || tx_[p] == nullptr) throw std::runtime_error("ring create failed");
    // Created in order, so inside is DPDK port 0 and outside port 1.
    if (rte_eth_from_rings(names[p], &rx_[p], 1, &tx_[p], 1, SOCKET_ID_ANY) != int(p))
      throw std::runtime_error("rte_eth_from_rings failed");
  }
  pool_ =
      // The runtime's own data room for ports.mtu: a frame the NIC could deliver fits one mbuf.
      rte_pktmbuf_pool_create("test_frames", 8191, 0, 0, mbuf_data_room(uint16_t(settings.mtu)),
                              SOCKET_ID_ANY);
  if (pool_ == nullptr) throw std::runtime_error("test mbuf pool failed");
  settings.rx_descriptors = 256;
  settings.tx_descriptors = 256;
  runtime_ = std::make_unique<Runtime>(settings);
  runtime_->set_log_sink([this](const std::string& line) { log_.push_back(line); });
  const std::string err = runtime_->start();
  if (!err.empty()) throw std::runtime_error("runtime start: " + err);
}

PipelineHarness::~PipelineHarness() {
  runtime_.reset();
  for (unsigned p = 0; p < kPortSides; ++p) {
    transmitted(PortSide(p));
    rte_ring_free(rx_[p]);
    rte_ring_free(tx_[p]);
  }
  rte_mempool_free(pool_);
}

void PipelineHarness::send(PortSide side, const std::vector<Frame>& frames) {
  for (const Frame& f : frames) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    ASSERT_NE(m, nullptr);
    char* data = rte_pktmbuf_append(m, uint16_t(f.size()));
    ASSERT_NE(data, nullptr) << "frame of " << f.size() << " bytes does not fit an mbuf";
    if (!f.empty()) std::memcpy(data, f.data(), f.size());  // an empty frame has no data()
    while (rte_ring_sp_enqueue(rx_[unsigned(side)], m) != 0) std::this_thread::yield();
  }
  sent_ += frames.size();
  // The worker counts a burst's RX after judging and transmitting all of it (worker.cpp).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const StatsTotals t = runtime_->totals();
    if (t.port[0].rx_packets + t.port[1].rx_packets >= sent_) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "worker did not take the frames";
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

std::vector<Frame> PipelineHarness::transmitted(PortSide side) {
  std::vector<Frame> out;
  void* obj;
  while (rte_ring_sc_dequeue(tx_[unsigned(side)], &obj) == 0) {
    rte_mbuf* m = static_cast<rte_mbuf*>(obj);
    const uint8_t* d = rte_pktmbuf_mtod(m, const uint8_t*);
    out.emplace_back(d, d + rte_pktmbuf_data_len(m));
    rte_pktmbuf_free(m);
  }
  return out;
}

std::vector<std::string> PipelineHarness::log_lines() {
  runtime_->control_step();
  return log_;
}

}  // namespace ampguard::test
