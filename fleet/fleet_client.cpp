#include "fleet/fleet_client.hpp"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "fleet/change_budget.hpp"
#include "gobgp.grpc.pb.h"

namespace ampguard::fleet {
namespace {

using Clock = std::chrono::steady_clock;
constexpr unsigned kRpcDeadlineMs = 2000;
constexpr unsigned kBackoffFirstMs = 500, kBackoffMaxMs = 8000;
constexpr unsigned kPeerPollMs = 2000;
constexpr int kMaxMessageBytes = 64 << 20;  // the watch's first event holds the whole table

uint64_t now_ms() {
  return uint64_t(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
          .count());
}

void set_deadline(grpc::ClientContext& ctx, unsigned ms) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(ms));
}

std::string rule_text(const FlowRule& r) { return r.source.text() + " -> " + r.destination.text(); }

}  // namespace

struct Client::Session {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<apipb::GobgpApi::Stub> stub;
  std::set<FlowRule> announced;  // what gobgpd holds from us (listed at connect, then tracked)
  std::string router_id;
  std::optional<ChangeBudget> budget;  // fleet.max-changes, from the connect on
  uint64_t next_peers_ms = 0;
  std::string error;                               // the last failed call
  std::unique_ptr<grpc::ClientContext> watch_ctx;  // cancels the WatchEvent stream
  std::thread watcher;                             // reads it (watch_imports)
};

Client::~Client() { stop(); }

void Client::start(ClientConfig config) {
  if (thread_.joinable()) return;
  config_ = std::move(config);
  stopping_ = false;
  status_ = ClientStatus{};
  status_.session = "connecting";
  thread_ = std::thread([this] { run(); });
}

void Client::stop(unsigned deadline_ms) {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    stop_deadline_ms_ = deadline_ms;
  }
  wake_.notify_all();
  thread_.join();
}

void Client::set_exports(std::set<FlowRule> rules) {
  {
    std::lock_guard lk(mu_);
    if (rules == wanted_) return;
    wanted_ = std::move(rules);
  }
  wake_.notify_all();  // a new block goes out now, not at the next poll
}

std::vector<Imported> Client::imports(uint64_t& generation) const {
  std::lock_guard lk(mu_);
  generation = import_generation_;
  return imported_;
}

ClientStatus Client::status() const {
  std::lock_guard lk(mu_);
  return status_;
}

std::vector<std::string> Client::take_lines() {
  std::lock_guard lk(mu_);
  return std::exchange(lines_, {});
}

void Client::say(const std::string& line) {
  std::lock_guard lk(mu_);
  lines_.push_back("ampguard: fleet: " + line);
}

void Client::run() {
  Session s;
  unsigned backoff_ms = kBackoffFirstMs;
  std::unique_lock lk(mu_);
  while (!stopping_) {
    if (!s.stub) {
      lk.unlock();
      const bool up = connect(s);
      if (up && config_.import) {
        s.watch_ctx = std::make_unique<grpc::ClientContext>();
        s.watcher = std::thread([this, &s] { watch_imports(s); });
      }
      lk.lock();
      if (!up) {
        status_.connected = false;
        status_.session = "down: " + s.error + " (retry in " + std::to_string(backoff_ms) + "ms)";
        s = Session{};
        wake_.wait_for(lk, std::chrono::milliseconds(backoff_ms), [&] { return stopping_; });
        backoff_ms = std::min(backoff_ms * 2, kBackoffMaxMs);
        continue;
      }
      backoff_ms = kBackoffFirstMs;
      status_.connected = true;
      status_.session = "connected to " + config_.api + " (router-id " + s.router_id + ")";
      status_.connects++;
    }
    lk.unlock();
    const uint64_t now = now_ms();
    bool ok = sync_exports(s, now);
    if (ok && now >= s.next_peers_ms) ok = poll_peers(s);
    lk.lock();
    status_.exported = s.announced.size();
    if (ok && !watch_lost_.empty()) {
      s.error = watch_lost_;
      ok = false;
    }
    if (!ok) {
      status_.rpc_errors++;
      status_.connected = false;
      status_.session = "down: " + s.error;
      lines_.push_back("ampguard: fleet: gobgpd at " + config_.api + " lost (" + s.error +
                       "); blocks stay enforced here, reconnecting");
      lk.unlock();
      end_session(s);
      lk.lock();
      continue;
    }
    // Woken early by new exports or a broken watch; else the next poll of the peers.
    const std::set<FlowRule> seen = wanted_;
    wake_.wait_for(lk, std::chrono::milliseconds(status_.pending ? 50 : kPeerPollMs),
                   [&] { return stopping_ || wanted_ != seen || !watch_lost_.empty(); });
  }
  lk.unlock();
  if (s.stub) withdraw_all(s, stop_deadline_ms_);
  end_session(s);
}

void Client::end_session(Session& s) {
  if (s.watch_ctx) s.watch_ctx->TryCancel();
  if (s.watcher.joinable()) s.watcher.join();
  s = Session{};
  std::lock_guard lk(mu_);
  watch_lost_.clear();
}

bool Client::connect(Session& s) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  s.channel = grpc::CreateCustomChannel(config_.api, grpc::InsecureChannelCredentials(), args);
  if (!s.channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::milliseconds(1000))) {
    s.error = "no gRPC connection to " + config_.api;
    return false;
  }
  s.stub = apipb::GobgpApi::NewStub(s.channel);
  {
    grpc::ClientContext ctx;
    set_deadline(ctx, kRpcDeadlineMs);
    apipb::GetBgpResponse resp;
    const grpc::Status st = s.stub->GetBgp(&ctx, apipb::GetBgpRequest(), &resp);
    if (!st.ok()) {
      s.error = "GetBgp: " + st.error_message();
      s.stub.reset();
      return false;
    }
    s.router_id = resp.global().router_id();
  }
  // What gobgpd already holds from this box: a crashed run's leftovers and, after our own
  // reconnect, what it kept. sync_exports() withdraws what is no longer wanted; a route of an
  // earlier shape (other ports or action) goes now, deleted as listed.
  std::vector<apipb::Path> reshaped;
  for (bool v6 : {false, true}) {
    grpc::ClientContext ctx;
    set_deadline(ctx, kRpcDeadlineMs);
    apipb::ListPathRequest req;
    req.set_table_type(apipb::GLOBAL);
    *req.mutable_family() = flowspec_family(v6);
    auto reader = s.stub->ListPath(&ctx, req);
    apipb::ListPathResponse resp;
    while (reader->Read(&resp))
      for (const auto& path : resp.destination().paths()) {
        const auto d = decode_path(path, config_.shape.community);
        if (!d || !d->local) continue;
        if (same_shape(*d, config_.shape)) {
          s.announced.insert(d->rule);
        } else {
          reshaped.push_back(path);
        }
      }
    const grpc::Status st = reader->Finish();
    if (!st.ok()) {
      s.error = "ListPath: " + st.error_message();
      s.stub.reset();
      return false;
    }
  }
  for (const apipb::Path& path : reshaped) {
    grpc::ClientContext ctx;
    set_deadline(ctx, kRpcDeadlineMs);
    apipb::DeletePathRequest req;
    req.set_table_type(apipb::GLOBAL);
    *req.mutable_family() = path.family();
    *req.mutable_path() = path;
    google::protobuf::Empty resp;
    const grpc::Status st = s.stub->DeletePath(&ctx, req, &resp);
    if (!st.ok()) {
      s.error = "DeletePath: " + st.error_message();
      s.stub.reset();
      return false;
    }
  }
  std::set<FlowRule> wanted;
  {
    std::lock_guard lk(mu_);
    wanted = wanted_;
  }
  unsigned stale = unsigned(reshaped.size());
  for (const FlowRule& r : s.announced) stale += !wanted.count(r);
  {
    std::lock_guard lk(mu_);
    status_.stale_removed += stale;
  }
  say("connected to gobgpd at " + config_.api + " (router-id " + s.router_id +
      "): " + std::to_string(s.announced.size() + reshaped.size()) + " routes of ours there, " +
      std::to_string(stale) + " no longer wanted");
  s.budget.emplace(config_.max_changes_per_second, now_ms());
  return true;
}

bool Client::sync_exports(Session& s, uint64_t now) {
  std::set<FlowRule> wanted;
  {
    std::lock_guard lk(mu_);
    wanted = wanted_;
  }
  std::vector<FlowRule> withdraw, announce;
  std::set_difference(s.announced.begin(), s.announced.end(), wanted.begin(), wanted.end(),
                      std::back_inserter(withdraw));
  std::set_difference(wanted.begin(), wanted.end(), s.announced.begin(), s.announced.end(),
                      std::back_inserter(announce));
  // Withdrawals first: they free the upstream's route slots the announcements need.
  uint64_t done_withdraw = 0, done_announce = 0;
  bool ok = true;
  for (const FlowRule& r : withdraw) {
    if (!s.budget->take(now)) break;
    grpc::ClientContext ctx;
    set_deadline(ctx, kRpcDeadlineMs);
    apipb::DeletePathRequest req;
    req.set_table_type(apipb::GLOBAL);
    *req.mutable_family() = flowspec_family(r.source.v6);
    *req.mutable_path() = encode_path(r, config_.shape);
    google::protobuf::Empty resp;
    const grpc::Status st = s.stub->DeletePath(&ctx, req, &resp);
    if (!st.ok()) {
      s.error = "DeletePath: " + st.error_message();
      ok = false;
      break;
    }
    s.announced.erase(r);
    ++done_withdraw;
    say("withdrew " + rule_text(r));
  }
  for (const FlowRule& r : announce) {
    if (!ok || !s.budget->take(now)) break;
    grpc::ClientContext ctx;
    set_deadline(ctx, kRpcDeadlineMs);
    apipb::AddPathRequest req;
    req.set_table_type(apipb::GLOBAL);
    *req.mutable_path() = encode_path(r, config_.shape);
    apipb::AddPathResponse resp;
    const grpc::Status st = s.stub->AddPath(&ctx, req, &resp);
    if (!st.ok()) {
      s.error = "AddPath: " + st.error_message();
      ok = false;
      break;
    }
    s.announced.insert(r);
    ++done_announce;
    say("announced " + rule_text(r));
  }
  std::lock_guard lk(mu_);
  status_.withdrawals += done_withdraw;
  status_.announcements += done_announce;
  status_.pending = withdraw.size() + announce.size() - done_withdraw - done_announce;
  return ok;
}

void Client::watch_imports(Session& s) {
  apipb::WatchEventRequest req;
  auto* filter = req.mutable_table()->add_filters();
  filter->set_type(apipb::WatchEventRequest::Table::Filter::BEST);
  filter->set_init(true);  // the first event is the whole table as it stands
  auto reader = s.stub->WatchEvent(s.watch_ctx.get(), req);
  std::map<FlowRule, std::string> best;  // each rule whose best path a peer announced, its origin
  apipb::WatchEventResponse resp;
  while (reader->Read(&resp)) {
    if (!resp.has_table()) continue;
    for (const auto& path : resp.table().paths()) {
      const std::optional<FlowRule> rule = decode_rule(path);
      if (!rule) continue;
      const auto d = path.is_withdraw() ? std::nullopt : decode_path(path, config_.shape.community);
      // Ours reflected back carries our router-id as ORIGINATOR_ID; a best path of our own or
      // untagged (or a withdrawal) means no peer's block is in force for this rule here.
      if (d && !d->local && d->origin != s.router_id) {
        best[*rule] = d->origin;
      } else {
        best.erase(*rule);
      }
    }
    std::map<Prefix, std::string> by_source;  // one entry per source, whatever its destinations
    for (const auto& [rule, origin] : best) by_source.emplace(rule.source, origin);
    std::vector<Imported> now;
    for (const auto& [source, origin] : by_source) now.push_back({source, origin});
    std::lock_guard lk(mu_);
    if (now != imported_) {
      imported_ = std::move(now);
      import_generation_++;
    }
    status_.imported = imported_.size();
  }
  const grpc::Status st = reader->Finish();
  {
    std::lock_guard lk(mu_);
    watch_lost_ = "WatchEvent: " + (st.ok() ? std::string("stream ended") : st.error_message());
  }
  wake_.notify_all();
}

bool Client::poll_peers(Session& s) {
  s.next_peers_ms = now_ms() + kPeerPollMs;
  grpc::ClientContext ctx;
  set_deadline(ctx, kRpcDeadlineMs);
  auto reader = s.stub->ListPeer(&ctx, apipb::ListPeerRequest());
  apipb::ListPeerResponse resp;
  unsigned peers = 0, established = 0;
  while (reader->Read(&resp)) {
    ++peers;
    established += resp.peer().state().session_state() == apipb::PeerState::ESTABLISHED;
  }
  const grpc::Status st = reader->Finish();
  if (!st.ok()) {
    s.error = "ListPeer: " + st.error_message();
    return false;
  }
  std::lock_guard lk(mu_);
  status_.peers = peers;
  status_.peers_established = established;
  return true;
}

void Client::withdraw_all(Session& s, unsigned deadline_ms) {
  const auto end = Clock::now() + std::chrono::milliseconds(deadline_ms);
  unsigned withdrawn = 0;
  for (const FlowRule& r : s.announced) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (left.count() <= 0) break;
    grpc::ClientContext ctx;
    set_deadline(ctx, unsigned(left.count()));
    apipb::DeletePathRequest req;
    req.set_table_type(apipb::GLOBAL);
    *req.mutable_family() = flowspec_family(r.source.v6);
    *req.mutable_path() = encode_path(r, config_.shape);
    google::protobuf::Empty resp;
    if (!s.stub->DeletePath(&ctx, req, &resp).ok()) break;
    ++withdrawn;
  }
  std::lock_guard lk(mu_);
  status_.withdrawals += withdrawn;
  status_.exported = s.announced.size() - withdrawn;
  status_.connected = false;
  status_.session = "stopped";
  lines_.push_back("ampguard: fleet: stopped: withdrew " + std::to_string(withdrawn) + " of " +
                   std::to_string(s.announced.size()) + " routes");
}

}  // namespace ampguard::fleet
