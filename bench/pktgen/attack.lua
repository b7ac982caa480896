-- bench/pktgen/attack.lua: zero-loss throughput of ampguard on the attack mix. Pktgen-DPDK 23.x
-- Lua API. ampguard runs with --dry-run here too: every limiter, blocklist and eviction step
-- still runs (dry run only skips the drop and the TC rewrite), and every frame comes back, so
-- zero loss is well defined (in enforcing mode the share dropped by decision depends on the
-- rate, because the victims' credit refills between frames). Measure enforcing mode separately
-- at the found rate and compare ampguard's --stats-file imissed/rx_nombuf (must stay 0).
-- Start pktgen with -s 0:attack-inside.pcap -s 1:attack-outside.pcap -f bench/pktgen/attack.lua
package.path = package.path .. ";bench/pktgen/?.lua"
local rfc2544 = require("rfc2544")
rfc2544.search({name = "attack_mix", trial_secs = 10, tolerance = 0.0001, calibration_pct = 1,
                lo_pct = 0, hi_pct = 100, resolution_pct = 0.5,
                result_file = "pktgen-attack.txt"})
