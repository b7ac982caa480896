#!/usr/bin/env python3
"""bench/report.py: turns the raw output of bench/run.sh into bench/RESULTS.md and the data
file bench/results.gp plots (bench/results.dat). Called by run.sh; not meant to be run alone."""
import argparse
import csv
import glob
import json
import os
import platform
import re
import statistics
import subprocess


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def micro(work, name):
    path = os.path.join(work, "micro-%s.json" % name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [b for b in json.load(f)["benchmarks"] if b.get("run_type") != "aggregate"]


# The cycle budget's stages: a sampled symbol belongs to the first stage one of whose
# substrings it contains. Symbols of no stage in ampguard's namespace count as "other
# dataplane"; the rest (the benchmark harness, trace generation, libc) is untimed and left out.
STAGES = [
    ("parse (L2-L4, DNS header and question)", ("parse_frame", "parse_dns", "parse_ip")),
    ("table keys (SipHash, once per packet)", ("peer_key", "prefix_keys", "siphash")),
    ("blocklist", ("Blocklist::",)),
    ("limiter and aggregates", ("LimiterTable::", "AggregateTable::", "DebtSketch",
                                "PressureBudget", "limit_")),
    ("fragments", ("FragmentTable::",)),
    ("DNS cookies, proven queries", ("ProvenQueries::", "cookie")),
    ("rewrites (TC replies, truncation)", ("make_tc_reply", "truncate_response", "OptForm")),
    ("judge and counters", ("judge_", "BurstTally", "admit", "limited")),
    ("burst loop: prefetch, TX lists", ("process_burst", "prefetch")),
    ("expiry steps", ("expire_step",)),
]
HARNESS = ("ampguard::bench::", "tracegen::", "benchmark::")


def cycle_budget(path, cycles_per_packet):
    """Stage -> cycles per packet: each stage's share of the timed samples times the total."""
    shares = {}
    for line in open(path):
        m = re.match(r"\s*([\d.]+)%\s+\[\.\]\s+(.*)$", line)
        if not m or "ampguard::" not in m.group(2) or any(h in m.group(2) for h in HARNESS):
            continue
        stage = next((s for s, subs in STAGES if any(x in m.group(2) for x in subs)),
                     "other dataplane")
        shares[stage] = shares.get(stage, 0.0) + float(m.group(1))
    total = sum(shares.values())
    return {s: v / total * cycles_per_packet for s, v in shares.items()} if total else {}


def main():
    ap = argparse.ArgumentParser()
    for a in ("work", "out", "commit", "elapsed", "runs", "seconds", "victims", "quick",
              "hugepages", "normal-args", "attack-args"):
        ap.add_argument("--" + a, required=True)
    o = ap.parse_args()
    w = o.work

    rows = list(csv.DictReader(open(os.path.join(w, "throughput.csv"))))
    runs, failed = {}, {}
    for r in rows:
        key = (r["trace"], int(r["workers"]), r["program"])
        try:
            runs.setdefault(key, []).append(float(r["mpps"]))
        except ValueError:  # "failed": no rate measured (the run's output is in run.sh's log)
            failed[key] = failed.get(key, 0) + 1

    def med(trace, prog, workers=1):
        v = runs.get((trace, workers, prog))
        return statistics.median(v) if v else 0.0

    def ratio(trace, prog, workers=1):
        d = med(trace, prog, workers)
        return med(trace, "ampguard", workers) / d if d else 0.0

    out = []
    p = out.append
    p("# ampguard benchmark results")
    p("")
    p("Written by `bench/run.sh` (issue 6)%s. Do not edit by hand: rerun the script." %
      (" in **--quick** mode (smoke run: one short run each; figures are indicative only)"
       if o.quick == "1" else ""))
    p("")
    p("## Machine and conditions")
    p("")
    p("- CPU: %s, %s cores (`nproc`)" % (cpu_model(), os.cpu_count()))
    p("- Kernel %s, DPDK %s (Debian package), ampguard commit %s, Release build (`-O3`, "
      "`-march=corei7`)" % (platform.release(), sh("pkg-config --modversion libdpdk"), o.commit))
    p("- %s x 2 MiB hugepages reserved; every DPDK process runs with `--in-memory` (never "
      "`--no-huge`)" % o.hugepages)
    p("- Load average at the end of the run: %s. **These machines are shared virtual "
      "machines**: every figure below is noisy (expect +-30 %% between runs of the same "
      "program, more when anything else runs); the A/B/C "
      "alternation exposes all three programs to the same noise, so the ratios are more "
      "trustworthy than the absolute rates." % " ".join(open("/proc/loadavg").read().split()[:3]))
    p("- Total time of the suite: %s s" % o.elapsed)
    p("")

    p("## Full-process throughput, one worker core")
    p("")
    p("ampguard with one worker and `dpdk-testpmd --port-topology=paired` (`io`, `5tswap`) read "
      "the same two pcaps through `net_pcap` with `infinite_rx=1` on both ports (TX discarded by "
      "the driver), alternating ampguard, testpmd io, testpmd 5tswap, %s runs each, %s s of "
      "forwarding per run. Rates in Mpps, both ports' RX summed:" % (o.runs, o.seconds))
    p("")
    p("- ampguard: (inside + outside `rx_packets`) / `forwarding_seconds` from `--stats-file` "
      "(first poll to stop: start-up and pcap loading excluded, the first cold second included, "
      "so slightly pessimistic for ampguard)")
    p("- testpmd: `--stats-period 1`: Rx-pps of both ports summed per 1 s period, the first 2 "
      "periods skipped, median of the rest")
    p("")
    p("| trace | program | median Mpps | min | max | runs (failed) | ampguard / this |")
    p("|---|---|---:|---:|---:|---:|---:|")
    for trace in ("normal", "attack"):
        for prog in ("ampguard", "testpmd_io", "testpmd_5tswap"):
            v = runs.get((trace, 1, prog), [])
            if not v:
                continue
            rr = "" if prog == "ampguard" else "%.2f" % ratio(trace, prog)
            nf = failed.get((trace, 1, prog), 0)
            p("| %s | %s | %.2f | %.2f | %.2f | %d%s | %s |" %
              (trace, prog, statistics.median(v), min(v), max(v), len(v),
               " (%d)" % nf if nf else "", rr))
    p("")
    p("Traces (`ampguard-tracegen`):")
    p("")
    for trace, args in (("normal", o.normal_args), ("attack", o.attack_args)):
        info = open(os.path.join(w, trace + "-trace.txt")).read().strip()
        p("- %s: `ampguard-tracegen --inside IN.pcap --outside OUT.pcap %s` -> %s" %
          (trace, args, info))
    p("")
    p("The attack trace holds %s distinct spoofed victims: every frame of both pcaps must sit "
      "in mbufs for `infinite_rx` (about 2.5 KiB each with headers), and that is what the "
      "reserved hugepages hold here next to the working set. The microbenchmark below offers "
      "10,000,000 victims." % f"{int(o.victims):,}")
    p("")
    p("Normal mix: `--dry-run` (at replay speed every client of the trace comes back dozens of "
      "times a second, so the recipe's 50/min would block them all); the full decision path runs "
      "and these are the drops that would have happened. Attack mix: enforcing. Decision counts "
      "of run 1:")
    p("")
    for trace in ("normal", "attack"):
        path = os.path.join(w, "stats-%s-1-1.json" % trace)
        if not os.path.exists(path):
            continue
        s = json.load(open(path))
        total = s["ports"]["inside"]["rx_packets"] + s["ports"]["outside"]["rx_packets"]
        p("- **%s** (%s packets in %.2f s, %s mode): " %
          (trace, f"{total:,}", s["forwarding_seconds"], "dry-run" if trace == "normal" else
           "enforcing") + ", ".join(
              "%s %s %.1f %%" % (v["action"], k, 100.0 * v["packets"] / total)
              for k, v in s["reasons"].items() if v["packets"]) +
          "; dry-run forwarded %s; limiter %s entries (%s evictions), blocklist %s entries "
          "(%s adds, %s evictions)" % (
              f"{s['dry_run_forwarded']:,}", f"{s['tables']['limiter_entries']:,}",
              f"{s['tables']['limiter_evictions']:,}", f"{s['tables']['block_entries']:,}",
              f"{s['tables']['block_adds']:,}", f"{s['tables']['block_evictions']:,}"))
    p("")
    p("![throughput](results.png)")
    p("")

    p("## Multi-worker scaling")
    p("")
    p("| mix | workers | ampguard median Mpps | testpmd io median Mpps | ampguard / testpmd io "
      "| ampguard / one worker |")
    p("|---|---:|---:|---:|---:|---:|")
    for trace in ("normal", "attack"):
        for wk in (1, 2):
            if (trace, wk, "ampguard") in runs:
                one = med(trace, "ampguard", 1)
                p("| %s | %d | %.2f | %.2f | %.2f | %.2f |" % (
                    trace, wk, med(trace, "ampguard", wk), med(trace, "testpmd_io", wk),
                    ratio(trace, "testpmd_io", wk),
                    med(trace, "ampguard", wk) / one if one else 0))
    p("")
    p("Both workers of the attack mix see the same victims (vdevs have no RSS): the shared "
      "tables are contended, as on a NIC whose RSS spreads one victim's responses over queues.")
    p("")
    p("This machine has 2 cores: with 2 workers the main lcore (ampguard's control thread, "
      "testpmd's stats printer) shares CPU 0 with worker 2 (`--lcores=0@0,1@1,2@0`), and the "
      "other engineers' compilers share both. Multiple queues come from `net_pcap` with one "
      "`rx_pcap` per queue (the same pcap twice per port), each queue replaying its own copy. "
      "**Run 1/2/4/8 workers on a bigger machine** (not available here): reserve "
      "hugepages for (workers x frames) mbufs and run, for N workers, "
      "`ampguard --dry-run --ports.mbufs=M -- -l 0-N --in-memory "
      "--vdev=net_pcap0,rx_pcap=IN,...(N times),infinite_rx=1 "
      "--vdev=net_pcap1,rx_pcap=OUT,...(N times),infinite_rx=1` and the same vdevs under "
      "`dpdk-testpmd -l 0-N ... -- --nb-cores=N --rxq=N --txq=N --port-topology=paired "
      "--forward-mode=io --no-flush-rx`; `net_null` with `--vdev=net_null0,...` and N queues "
      "measures the pipeline without the pcap copy (but its frames are not DNS). Record the "
      "machine (CPU, cores, NUMA) next to the figures.")
    p("")

    p("## Microbenchmarks (Google Benchmark)")
    p("")
    p("`cycles` are TSC cycles (%s GHz, constant rate; no hardware counters on this VM) scaled "
      "by the share of the interval the benchmark thread was on a CPU (`on_cpu`, from "
      "`CLOCK_THREAD_CPUTIME_ID`): the cores are shared, so raw TSC intervals (`wall`) include "
      "time other processes held the core. Cache pollution by the other processes remains." %
      ("%.2f" % (micro(w, "parser")[0]["tsc_ghz"] if micro(w, "parser") else 0)))
    p("")
    p("| benchmark | cycles/op | wall cycles/op | on-CPU share | details |")
    p("|---|---:|---:|---:|---|")
    skip = {"name", "run_name", "run_type", "repetitions", "repetition_index", "threads",
            "iterations", "real_time", "cpu_time", "time_unit", "family_index",
            "per_family_instance_index", "tsc_ghz", "on_cpu_share", "items_per_second",
            "aggregate_name"}
    cyc = {}
    for name in ("parser", "tables", "pipeline"):
        for b in micro(w, name):
            c = b.get("cycles_per_packet", b.get("cycles_per_op", 0))
            wc = b.get("wall_cycles_per_packet", b.get("wall_cycles_per_op", 0))
            cyc[b["name"]] = c
            det = ", ".join("%s %.4g" % (k, v) for k, v in b.items()
                            if k not in skip and not k.startswith(("cycles", "wall_cycles"))
                            and isinstance(v, (int, float)))
            p("| %s | %.1f | %.1f | %.2f | %s |" % (b["name"], c, wc, b.get("on_cpu_share", 0),
                                                    det))
    p("")
    def pipeline(name):
        return next((v for k, v in cyc.items() if k.split("/")[0] == name), 0.0)
    pn, pa = pipeline("BM_Pipeline_Normal"), pipeline("BM_Pipeline_Attack")
    par = pipeline("BM_Pipeline_AttackRecommended")
    p("Pipeline: %.1f cycles/packet on the normal mix (dry run, as in the full-process run), "
      "%.1f under attack (tables full, every new victim evicts; enforcing): ratio %.2f (goal "
      "<= 1.25). The pipeline benchmark times one worker-loop iteration's dataplane work "
      "(process_burst on a 32-frame burst of each port plus the worker's expiry steps every 16 "
      "loops) on mbufs built from the generated traces; RX/TX and freeing are not included "
      "(the full-process figures above include them). Under attack with "
      "`conf/recommended.conf` (16 M-entry tables, aggregate limits, TC over the limit; 10 M "
      "victims in-process): %.1f." % (pn, pa, pa / pn if pn else 0, par))
    p("")
    budgets = [(name, cycle_budget(os.path.join(w, "perf-micro-%s.txt" % name), pipeline(
        "BM_Pipeline_" + name))) for name in ("Normal", "Attack", "AttackRecommended")
        if os.path.exists(os.path.join(w, "perf-micro-%s.txt" % name))]
    if budgets:
        p("### Cycle budget per stage (cycles per packet)")
        p("")
        p("Each stage's share of the timed code's `perf record -e cpu-clock` samples (the "
          "harness left out) times the benchmark's cycles per packet; inlined helpers count "
          "where they were inlined. Stages: `STAGES` in bench/report.py.")
        p("")
        p("| stage | " + " | ".join("`BM_Pipeline_%s`" % n for n, _ in budgets) + " |")
        p("|---|" + "---:|" * len(budgets))
        for stage in [s for s, _ in STAGES] + ["other dataplane"]:
            if any(stage in b for _, b in budgets):
                p("| %s | %s |" % (stage, " | ".join("%.1f" % b.get(stage, 0.0)
                                                    for _, b in budgets)))
        p("| **all** | %s |" % " | ".join("%.1f" % sum(b.values()) for _, b in budgets))
        p("")
    co = {k.split("/")[0]: v for k, v in cyc.items() if k.startswith("BM_Cookie")}
    if co:
        off = co.get("BM_Cookies_Off", 0.0)
        p("DNS cookies (issue 19): bursts of 32 queries from 1,024 clients on the outside port, "
          "%.1f cycles/packet with cookies off, %.1f on for the same queries without a COOKIE "
          "option (%+.1f), %.1f with a client cookie only, %.1f with a valid server cookie "
          "(%+.1f: the check and a proven-query insert). The check alone: %.1f cycles for a "
          "valid cookie, %.1f for a forged one with two secrets configured." %
          (off, co.get("BM_Cookies_OnQueryWithout", 0), co.get("BM_Cookies_OnQueryWithout", 0) - off,
           co.get("BM_Cookies_OnClientCookieOnly", 0), co.get("BM_Cookies_OnValidServerCookie", 0),
           co.get("BM_Cookies_OnValidServerCookie", 0) - off, co.get("BM_CookieCheck_Valid", 0),
           co.get("BM_CookieCheck_ForgedTwoSecrets", 0)))
        p("")

    kernel = {}
    kpath = os.path.join(w, "kernel.txt")
    if os.path.exists(kpath):
        for line in open(kpath):
            m = re.match(r"^([a-z0-9_]+):\s*(.*)$", line.strip())
            if m:
                kernel[m.group(1)] = m.group(2)
    p("## Kernel comparison (veth + network namespaces)")
    p("")
    if kernel:
        p("`bench/kernel_compare.sh`: gen -> veth -> router -> veth -> sink, in namespaces; the "
          "router is either the kernel forwarding with the recipe's nftables rules "
          "(docs/kernel-semantics.md) or ampguard on `net_af_packet` (framecnt=4096) on the router's veth ends (one worker "
          "on CPU 1, `ethtool -K tx off`). Both driven by the same trafgen config (DNS "
          "response frames, %s) for %s s each; rate = frames counted at the sink / time. "
          "The generator, the router and the sink share the 2 cores." %
          (kernel.get("frames", "?"), kernel.get("seconds", "?")))
        p("")
        p("| router | Mpps at the sink | offered Mpps |")
        p("|---|---:|---:|")
        p("| kernel + nftables recipe | %s | %s |" % (kernel.get("kernel_router_mpps", "?"),
                                                   kernel.get("kernel_offered_mpps", "?")))
        p("| ampguard (net_af_packet) | %s | %s |" % (kernel.get("ampguard_afpacket_mpps", "?"),
                                                    kernel.get("ampguard_offered_mpps", "?")))
        p("")
        p("On veth the kernel's own packet path (veth xmit, af_packet copies, softirq) dominates "
          "both; this compares deployments on this machine, not the two engines' ceilings.")
    else:
        p("Not run (`--no-kernel`, or it failed: see the run's output).")
    p("")

    p("## Goals")
    p("")
    g_n, g_a = ratio("normal", "testpmd_io"), ratio("attack", "testpmd_io")
    one_a = med("attack", "ampguard", 1)
    speedup = med("attack", "ampguard", 2) / one_a if one_a else 0.0

    def goal(text, measured, met):
        p("| %s | %s | %s |" % (text, measured, "yes" if met else "**no**"))
    p("(issue 17)")
    p("")
    p("| goal | measured | met |")
    p("|---|---:|---|")
    goal("one worker >= 0.80x testpmd io, normal mix", "%.2f" % g_n, g_n >= 0.8)
    goal("one worker >= 0.70x testpmd io, attack mix", "%.2f" % g_a, g_a >= 0.7)
    goal("two workers >= 1.8x one, attack mix", "%.2f" % speedup, speedup >= 1.8)
    goal("`BM_Pipeline_Normal` <= 60 cycles/packet", "%.1f" % pn, 0 < pn <= 60)
    goal("`BM_Pipeline_AttackRecommended` <= 100 cycles/packet", "%.1f" % par, 0 < par <= 100)
    p("")
    analysis = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ANALYSIS.md")
    if os.path.exists(analysis):
        p(open(analysis).read().rstrip())
        p("")
    for trace in ("normal", "attack"):
        path = os.path.join(w, "perf-%s.txt" % trace)
        if os.path.exists(path):
            p("### Profile of this run, %s mix (worker CPU)" % trace)
            p("")
            p("`perf record -e cpu-clock -- ampguard ...; perf report --no-children --comms "
              "rte-worker-1 --percentage relative --sort dso,symbol` (top entries; the pcap "
              "driver is stripped, so its samples show as addresses):")
            p("")
            p("```")
            dso = os.path.join(w, "perf-%s-dso.txt" % trace)
            if os.path.exists(dso):
                p("# by library, percent of all the process's samples (the rest: main lcore)")
                p(open(dso).read().rstrip())
                p("# by symbol, percent of the worker's samples")
                p("")
            p(open(path).read().rstrip())
            p("```")
            p("")

    p("## Exact commands")
    p("")
    p("```")
    p("bench/run.sh   # this report; --quick for a smoke run, --help for options")
    p(open(os.path.join(w, "commands.txt")).read().rstrip())
    p("build-bench/bench/bench_parser | bench_tables | bench_pipeline "
      "--benchmark_out_format=json --benchmark_out=FILE")
    p("bench/kernel_compare.sh --seconds 10 --ampguard build-bench/ampguard")
    p("```")
    p("")

    p("## Summary")
    p("")
    p("```")
    summary = [
        ("normal_mix_mpps_ampguard", "%.2f" % med("normal", "ampguard")),
        ("normal_mix_mpps_testpmd_io", "%.2f" % med("normal", "testpmd_io")),
        ("normal_mix_mpps_testpmd_5tswap", "%.2f" % med("normal", "testpmd_5tswap")),
        ("normal_mix_ratio_vs_testpmd_io", "%.2f" % g_n),
        ("normal_mix_ratio_vs_testpmd_5tswap", "%.2f" % ratio("normal", "testpmd_5tswap")),
        ("attack_mix_mpps_ampguard", "%.2f" % med("attack", "ampguard")),
        ("attack_mix_mpps_testpmd_io", "%.2f" % med("attack", "testpmd_io")),
        ("attack_mix_ratio_vs_testpmd_io", "%.2f" % g_a),
        ("attack_mix_ratio_vs_testpmd_5tswap", "%.2f" % ratio("attack", "testpmd_5tswap")),
        ("attack_mix_victims", o.victims),
        ("two_workers_mpps_ampguard", "%.2f" % med("normal", "ampguard", 2)),
        ("two_workers_attack_mpps_ampguard", "%.2f" % med("attack", "ampguard", 2)),
        ("two_workers_attack_speedup", "%.2f" % speedup),
        ("pipeline_cycles_per_packet", "%.1f" % pn),
        ("pipeline_cycles_per_packet_attack", "%.1f" % pa),
        ("pipeline_attack_to_normal_ratio", "%.2f" % (pa / pn if pn else 0)),
        ("pipeline_cycles_per_packet_attack_recommended", "%.1f" % par),
        ("kernel_router_mpps", kernel.get("kernel_router_mpps", "n/a")),
        ("ampguard_afpacket_mpps", kernel.get("ampguard_afpacket_mpps", "n/a")),
        ("quick", "yes" if o.quick == "1" else "no"),
    ]
    for k, v in summary:
        p("%s: %s" % (k, v))
    p("```")
    with open(os.path.join(o.out, "RESULTS.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    with open(os.path.join(o.out, "results.dat"), "w") as f:
        f.write("# trace ampguard testpmd_io testpmd_5tswap (median Mpps, one core)\n")
        for trace in ("normal", "attack"):
            f.write("%s %.3f %.3f %.3f\n" % (trace, med(trace, "ampguard"),
                                            med(trace, "testpmd_io"),
                                            med(trace, "testpmd_5tswap")))


if __name__ == "__main__":
    main()
