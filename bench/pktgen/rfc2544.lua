-- bench/pktgen/rfc2544.lua: RFC 2544-style zero-loss throughput search for ampguard with
-- Pktgen-DPDK (written for the Pktgen-DPDK 23.x Lua API: pktgen.set, pktgen.pcap, pktgen.start,
-- pktgen.stop, pktgen.clr, pktgen.portStats, pktgen.delay). Not run on the development machine
-- (no NICs there); see README.md for the lab and the exact commands.
--
-- Lab: pktgen port 0 -> ampguard inside (replays the inside pcap: resolver responses),
--      pktgen port 1 -> ampguard outside (replays the outside pcap: queries, flood),
--      ampguard forwards each side to the other, back into pktgen.
--
-- "Loss" is measured against what ampguard is expected to pass: a calibration trial at a low
-- rate gives the pass ratio of the mix (1.0 for the normal mix in dry-run mode; below 1.0 for
-- the attack mix, whose drops are ampguard's decisions). A trial passes when the ratio received /
-- sent stays within `tolerance` of the calibrated one: any further loss is ampguard (or the
-- link) failing to keep up. Binary search on the offered rate (percent of line rate).

local M = {}

local function port_counts(port)
  local s = pktgen.portStats(tostring(port), "port")[port]
  return s.opackets, s.ipackets
end

-- One trial: both ports at rate_pct for secs seconds. Returns sent, received (both directions).
local function trial(rate_pct, secs)
  pktgen.stop("all")
  pktgen.delay(500)
  pktgen.clr()
  pktgen.set("all", "rate", rate_pct)
  pktgen.start("all")
  pktgen.delay(secs * 1000)
  pktgen.stop("all")
  pktgen.delay(1000)  -- let frames in flight arrive
  local tx0, rx0 = port_counts(0)
  local tx1, rx1 = port_counts(1)
  return tx0 + tx1, rx0 + rx1
end

-- opts: name, trial_secs, tolerance (ratio), lo_pct, hi_pct, resolution_pct, result_file
function M.search(opts)
  local secs = opts.trial_secs or 10
  local tol = opts.tolerance or 0.0001
  pktgen.pcap("all", "on")  -- send the pcaps given with -s P:file
  local sent, recv = trial(opts.calibration_pct or 1, secs)
  local expected = recv / sent
  printf("%s: calibration at %.1f%%: %d sent, %d received, pass ratio %.5f\n", opts.name,
         opts.calibration_pct or 1, sent, recv, expected)
  local lo, hi, best = opts.lo_pct or 0, opts.hi_pct or 100, 0
  local best_pps = 0
  while hi - lo > (opts.resolution_pct or 0.5) do
    local mid = (lo + hi) / 2
    sent, recv = trial(mid, secs)
    local ratio = recv / sent
    local ok = ratio >= expected - tol
    printf("%s: %.2f%% of line rate: %d sent (%.3f Mpps), pass ratio %.5f -> %s\n", opts.name, mid,
           sent, sent / secs / 1e6, ratio, ok and "no loss" or "LOSS")
    if ok then
      lo, best, best_pps = mid, mid, sent / secs
    else
      hi = mid
    end
  end
  pktgen.stop("all")
  local line = string.format("%s_zero_loss_rate_pct: %.2f\n%s_zero_loss_mpps: %.3f\n", opts.name,
                             best, opts.name, best_pps / 1e6)
  printf("%s", line)
  if opts.result_file then
    local f = io.open(opts.result_file, "w")
    f:write(line)
    f:close()
  end
  return best, best_pps
end

return M
