#!/usr/bin/env python3
"""Run a JoSIM bench with parameter overrides and thermal noise; count slips.

usage: neuro_sweep.py BENCH.cir [--set name=value ...] [--seeds 1-25] [--temp 4.2]
                      [--window T0:T1] [--jobs 2]

Copies the bench into a temporary folder (include paths made absolute; the
worktree is never written), replaces `.param name=...` lines given by --set,
and for a noisy run appends `.temp T` and `.option seed=N` before `.end`.
Prints, per printed phase column, the forward-slip count of every seed and
the total. Slips are counted as in /work/shared/josim-reference/compare.py
(phase from its t=0 value, odd multiples of pi, 0.1*2pi hysteresis).
Only the Python standard library is used.
"""
import argparse, csv, math, os, re, subprocess, sys, tempfile
from concurrent.futures import ThreadPoolExecutor


def slips(ts, ph):
    out, k, base = [], 0, ph[0]
    hyst = 0.1 * 2 * math.pi
    for t, p in zip(ts, ph):
        d = p - base
        while d > (2 * k + 1) * math.pi + hyst / 2:
            k += 1
            out.append((t, +1))
        while d < (2 * k - 1) * math.pi - hyst / 2:
            k -= 1
            out.append((t, -1))
    return out


def train(spec):
    """start:period:count in ps -> nmgen-style triangle pulses (600 uA, 6 ps)."""
    start, period, count = (float(x) for x in spec.split(":"))
    s = "0 0"
    for k in range(int(count)):
        t = start + k * period
        s += f" {t:g}p 0 {t + 3:g}p 600u {t + 6:g}p 0"
    return f"pwl({s})"


def prepare(bench, sets, temp, seed, trains=None):
    here = os.path.dirname(os.path.abspath(bench))
    lines = open(bench).read().splitlines()
    out = []
    done = set()
    for ln in lines:
        m = re.match(r"\s*\.include\s+(\S+)", ln, re.I)
        if m and not os.path.isabs(m.group(1)):
            ln = ".include " + os.path.normpath(os.path.join(here, m.group(1)))
        m = re.match(r"\s*\.param\s+(\w+)\s*=", ln, re.I)
        if m and m.group(1) in sets:
            ln = f".param {m.group(1)}={sets[m.group(1)]}"
            done.add(m.group(1))
        m = re.match(r"\s*(I\w+)\s+(\S+)\s+(\S+)\s+pwl", ln, re.I)
        if m and trains and m.group(1) in trains:
            spec = trains[m.group(1)]
            ln = f"{m.group(1)} {m.group(2)} {m.group(3)} " + (train(spec) if spec else "pwl(0 0 1p 0)")
        if re.match(r"\s*\.end\s*$", ln, re.I):
            for k, v in sets.items():
                if k not in done:
                    out.append(f".param {k}={v}")
            if temp is not None:
                out.append(f".temp {temp}")
                out.append(f".option seed={seed}")
        out.append(ln)
    return "\n".join(out) + "\n"


def run_one(bench, sets, temp, seed, window, trains=None):
    with tempfile.TemporaryDirectory() as d:
        cir = os.path.join(d, "b.cir")
        open(cir, "w").write(prepare(bench, sets, temp, seed, trains))
        r = subprocess.run(["josim-cli", "-m", "1", "-o", os.path.join(d, "o.csv"), cir],
                           cwd=d, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stdout[-2000:] + r.stderr[-2000:])
        with open(os.path.join(d, "o.csv")) as f:
            rows = list(csv.reader(f))
    head = rows[0]
    cols = list(zip(*[[float(x) for x in row] for row in rows[1:] if row]))
    res = {}
    for j, h in enumerate(head[1:], 1):
        if h.strip().upper().startswith("P("):
            s = slips(cols[0], cols[j])
            if window:
                s = [x for x in s if window[0] <= x[0] * 1e12 < window[1]]
            res[h.strip()] = (sum(1 for x in s if x[1] > 0), sum(1 for x in s if x[1] < 0),
                              [round(x[0] * 1e12, 1) for x in s])
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--seeds", default="")
    ap.add_argument("--temp", type=float, default=4.2)
    ap.add_argument("--window", default="")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--times", action="store_true")
    ap.add_argument("--train", action="append", default=[],
                    help="SOURCE=start:period:count (ps) replaces that pwl source; SOURCE= for none")
    a = ap.parse_args()
    sets = dict(s.split("=", 1) for s in a.set)
    trains = dict(s.split("=", 1) for s in a.train)
    window = tuple(float(x) for x in a.window.split(":")) if a.window else None
    if a.seeds:
        lo, _, hi = a.seeds.partition("-")
        seeds = list(range(int(lo), int(hi or lo) + 1))
        temp = a.temp
    else:
        seeds, temp = [0], None
    with ThreadPoolExecutor(a.jobs) as ex:
        results = list(ex.map(lambda s: run_one(a.bench, sets, temp, s, window, trains), seeds))
    for col in results[0]:
        fw = [r[col][0] for r in results]
        bw = [r[col][1] for r in results]
        line = f"{col:16s} fwd total {sum(fw):4d} per seed {fw}"
        if sum(bw):
            line += f" bwd {bw}"
        print(line)
        if a.times:
            for s, r in zip(seeds, results):
                print(f"   seed {s}: {r[col][2]}")


if __name__ == "__main__":
    main()
