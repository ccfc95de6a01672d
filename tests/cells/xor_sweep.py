#!/usr/bin/env python3
"""Run examples/xor_hand.cir for the four input patterns with thermal noise and
report output pulse counts per pattern and the classification margin.

usage: xor_sweep.py [--seeds 10] [--bias 1.0] [--set name=value ...] [--temp 4.2]
An active input is the train already written in the netlist (IX1/IX2); an
inactive one has its source replaced by zero. Output pulses are the forward
2*pi slips of P(B2.XLO). Margin = min count over XOR=1 patterns - max count
over XOR=0 patterns, also divided by the number of pulses per active input.
Standard library only."""
import argparse, os, re, statistics, sys
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from neuro_sweep import run_one

XOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "xor_hand.cir")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--bias", default="1")
    ap.add_argument("--temp", type=float, default=4.2)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--x2-lag", type=float, default=0.0,
                    help="shift x2's train by this many ps relative to x1 (same period/count)")
    a = ap.parse_args()
    sets = dict(s.split("=", 1) for s in a.set)
    sets["bias"] = a.bias
    n_in = len(re.findall(r"600u", re.search(r"^IX1 .*$", open(XOR).read(), re.M).group(0)))
    temp = a.temp if a.temp > 0 else None
    seeds = list(range(1, a.seeds + 1)) if temp else [0]
    src = re.search(r"^IX2 .*$", open(XOR).read(), re.M).group(0)
    times = [float(t) for t in re.findall(r"([0-9.]+)p 0 [0-9.]+p 600u", src)]
    x2 = {}
    if a.x2_lag:
        x2 = {"IX2": f"{times[0] + a.x2_lag:g}:{times[1] - times[0]:g}:{len(times)}"}
    pats = {(0, 0): {"IX1": "", "IX2": ""}, (0, 1): dict(x2, IX1=""), (1, 0): {"IX2": ""}, (1, 1): dict(x2)}
    res = {}
    for pat, trains in pats.items():
        with ThreadPoolExecutor(a.jobs) as ex:
            rs = list(ex.map(lambda s: run_one(XOR, sets, temp, s, None, trains), seeds))
        res[pat] = rs
    print(f"bias={a.bias} temp={a.temp} seeds={len(seeds)} pulses per active input={n_in} x2 lag={a.x2_lag} ps {sets}")
    print("pattern  out: mean  min  max | h1 mean  h2 mean | per-seed outputs")
    for pat, rs in res.items():
        out = [r["P(B2|XLO)"][0] for r in rs]
        h1 = statistics.mean(r["P(B5|XH1)"][0] for r in rs)
        h2 = statistics.mean(r["P(B5|XH2)"][0] for r in rs)
        print(f"{pat}   {statistics.mean(out):6.1f} {min(out):4d} {max(out):4d} | {h1:7.1f} {h2:8.1f} | {out}")
    lo1 = min(min(r["P(B2|XLO)"][0] for r in res[p]) for p in [(0, 1), (1, 0)])
    hi0 = max(max(r["P(B2|XLO)"][0] for r in res[p]) for p in [(0, 0), (1, 1)])
    print(f"margin = {lo1} - {hi0} = {lo1 - hi0} pulses = {(lo1 - hi0) / n_in:.2f} of the {n_in} input pulses")


if __name__ == "__main__":
    main()
