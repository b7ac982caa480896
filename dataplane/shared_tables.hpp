// The tables every worker shares: the per-destination limiter, the covering prefixes' aggregate
// limits, the blocklist and the fragment verdicts. Fixed capacity, lock-free, bounded work per
// call; see the .cpp files and dataplane/table_core.hpp for the entry layout and the concurrency
// argument.
//
// Capacity is twice max_entries in whole 4-slot buckets (32 bytes per entry asked for), allocated
// once (DPDK hugepages on a socket when the constructor is given one), so max_entries random keys
// fit. A full probe window evicts its least valuable entry; only the limiter, given a pressure
// budget, leaves its live entries alone (overflow.hpp).
#pragma once

#include "dataplane/aggregate_table.hpp"
#include "dataplane/blocklist.hpp"
#include "dataplane/fragment_table.hpp"
#include "dataplane/limiter_table.hpp"
#include "dataplane/proven_queries.hpp"
