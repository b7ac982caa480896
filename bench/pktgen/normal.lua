-- bench/pktgen/normal.lua: zero-loss throughput of ampguard on the normal mix (ampguard in
-- --dry-run mode: every frame comes back, the pass ratio is 1). Pktgen-DPDK 23.x Lua API.
-- Start pktgen with -s 0:normal-inside.pcap -s 1:normal-outside.pcap -f bench/pktgen/normal.lua
package.path = package.path .. ";bench/pktgen/?.lua"
local rfc2544 = require("rfc2544")
rfc2544.search({name = "normal_mix", trial_secs = 10, tolerance = 0.0001, calibration_pct = 1,
                lo_pct = 0, hi_pct = 100, resolution_pct = 0.5,
                result_file = "pktgen-normal.txt"})
