// The fleet client: a thread of its own, owned by the control thread, that keeps gobgpd's
// global RIB equal to the set of FlowSpec routes the control thread asks for and reports the
// routes with ampguard's community that peers announce. gRPC calls block, so they happen here
// and never on the control thread or a worker: the control thread only swaps sets under a
// mutex (set_exports, imports, status).
//
// Imports come from gobgpd's WatchEvent stream of best-path changes (the whole table first,
// then each change as it happens), read by a thread of the session's own.
//
// Faults: gobgpd unreachable -> reconnect with backoff (0.5 s doubling to 8 s); every
// (re)connect first lists gobgpd's local routes carrying our community, so routes a crashed
// run left behind are withdrawn and routes a restarted gobgpd lost are announced again.
// stop() withdraws every route this box announced (bounded by a deadline).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fleet/flowspec_route.hpp"

namespace ampguard::fleet {

struct ClientConfig {
  std::string api;  // gobgpd's gRPC address, host:port
  RouteShape shape;
  uint32_t max_changes_per_second = 50;  // announcements + withdrawals
  bool import = true;
};

// One imported route: a source prefix some other box blocks, and who announced it.
struct Imported {
  Prefix source;
  std::string origin;
  bool operator==(const Imported&) const = default;
};

struct ClientStatus {
  bool connected = false;
  std::string session;  // "connected", "connecting", "down: <reason>"
  unsigned peers = 0, peers_established = 0;
  uint64_t exported = 0;  // routes announced now
  uint64_t pending = 0;   // wanted but waiting for the change-rate bound
  uint64_t imported = 0;  // peers' routes with our community, now
  uint64_t announcements = 0, withdrawals = 0, rpc_errors = 0, connects = 0;
  uint64_t stale_removed = 0;  // left by an earlier run, withdrawn at connect
};

class Client {
 public:
  Client() = default;
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void start(ClientConfig config);
  // Withdraws this box's routes (at most deadline_ms), then joins the thread; idempotent.
  void stop(unsigned deadline_ms = 3000);
  bool running() const { return thread_.joinable(); }

  // The full set this box should announce now (replaces the previous one).
  void set_exports(std::set<FlowRule> rules);
  // The peers' routes as last listed, and a counter that moves when they change.
  std::vector<Imported> imports(uint64_t& generation) const;
  ClientStatus status() const;
  // Log lines (export, withdraw, connect) since the last call, oldest first.
  std::vector<std::string> take_lines();

 private:
  struct Session;
  void run();
  bool connect(Session& s);
  bool sync_exports(Session& s, uint64_t now_ms);
  void watch_imports(Session& s);  // the session's watcher thread: until the stream ends
  void end_session(Session& s);    // cancels the watch and joins its thread; mu_ not held
  bool poll_peers(Session& s);
  void withdraw_all(Session& s, unsigned deadline_ms);
  void say(const std::string& line);

  ClientConfig config_;
  std::thread thread_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable wake_;
  bool stopping_ = false;
  unsigned stop_deadline_ms_ = 3000;
  std::set<FlowRule> wanted_;
  std::set<FlowRule> announced_;  // what gobgpd holds from us, as far as we know
  std::vector<Imported> imported_;
  uint64_t import_generation_ = 0;
  std::string watch_lost_;  // why the session's WatchEvent stream ended ("" while it runs)
  ClientStatus status_;
  std::vector<std::string> lines_;
};

}  // namespace ampguard::fleet
