#!/usr/bin/env python3
"""Characterize NMG_NEURON with thermal noise (4.2 K): stored quanta needed to
fire vs threshold current (neuron_tb.cir), output rate vs input rate
(neuron_rate_tb.cir), output vs inhibitory rate at a fixed 20 GHz excitatory
rate (inh; --periods are then inh periods, 0 = none).
Usage: neuron_characterize.py [nfire|rate|inh] [--seeds N] [--th a,b] [--periods p,q]
Standard library only; runs JoSIM through neuro_sweep.py in temporary folders."""
import argparse, os, statistics, sys
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from neuro_sweep import run_one

HERE = os.path.dirname(os.path.abspath(__file__))


def nfire(th_list, seeds, temp):
    print("th_uA  N(first fire) per seed -> mean / min / max")
    for th in th_list:
        def one(s):
            r = run_one(os.path.join(HERE, "neuron_tb.cir"), {"th_dut": f"{th}u"}, temp, s, None)
            b3 = r["P(B3|XDUT)"][2]
            b4 = [t for t, in [(x,) for x in r["P(B4|XDUT)"][2]]]
            if not b4:
                return None
            return sum(1 for t in b3 if t < b4[0])
        with ThreadPoolExecutor(2) as ex:
            ns = list(ex.map(one, seeds))
        got = [n for n in ns if n is not None]
        summ = f"{statistics.mean(got):.2f} / {min(got)} / {max(got)}" if got else "never fires"
        print(f"{th:5d}  {ns} -> {summ}")


def rate(th_list, periods, seeds, temp, window_ps=2000.0):
    print(f"input: periodic train over {window_ps:.0f} ps; output pulses (B2.XLQ) mean [min-max] over seeds")
    print("period_ps  in_GHz  n_in  " + "  ".join(f"th={th}u" for th in th_list))
    for per in periods:
        n_in = int(window_ps // per)
        row = [f"{per:9g}  {1000.0 / per:6.1f}  {n_in:4d}"]
        for th in th_list:
            def one(s):
                r = run_one(os.path.join(HERE, "neuron_rate_tb.cir"), {"th_dut": f"{th}u"}, temp, s,
                            None, {"IA": f"20:{per}:{n_in}"})
                return r["P(B2|XLQ)"][0]
            with ThreadPoolExecutor(2) as ex:
                outs = list(ex.map(one, seeds))
            row.append(f"{statistics.mean(outs):5.1f} [{min(outs)}-{max(outs)}]")
        print("  ".join(row), flush=True)


def inh(th_list, inh_periods, seeds, temp, exc_period=50.0, window_ps=2000.0):
    n_exc = int(window_ps // exc_period)
    print(f"exc: periodic {1000.0 / exc_period:.0f} GHz train ({n_exc} pulses from 20 ps); inh: periodic train "
          f"from 45 ps; output pulses mean [min-max]")
    print("inh_period_ps  n_inh  " + "  ".join(f"th={th}u" for th in th_list))
    for per in inh_periods:
        n_inh = int(window_ps // per) if per > 0 else 0
        row = [f"{per:13g}  {n_inh:5d}"]
        for th in th_list:
            def one(s):
                r = run_one(os.path.join(HERE, "neuron_rate_tb.cir"), {"th_dut": f"{th}u"}, temp, s, None,
                            {"IA": f"20:{exc_period}:{n_exc}", "IB": f"45:{per}:{n_inh}" if n_inh else ""})
                return r["P(B2|XLQ)"][0]
            with ThreadPoolExecutor(2) as ex:
                outs = list(ex.map(one, seeds))
            row.append(f"{statistics.mean(outs):5.1f} [{min(outs)}-{max(outs)}]")
        print("  ".join(row), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["nfire", "rate", "inh"])
    ap.add_argument("--seeds", type=int, default=25)
    ap.add_argument("--temp", type=float, default=4.2)
    ap.add_argument("--th", default="170,180,190,200,210,220,230,240")
    ap.add_argument("--periods", default="20,25,33.3,50,66.7,100,200")
    a = ap.parse_args()
    seeds = list(range(1, a.seeds + 1))
    temp = a.temp if a.temp > 0 else None
    if temp is None:
        seeds = [0]
    th = [int(x) for x in a.th.split(",")]
    if a.what == "nfire":
        nfire(th, seeds, temp)
    elif a.what == "inh":
        inh(th, [float(x) for x in a.periods.split(",")], seeds, temp)
    else:
        rate(th, [float(x) for x in a.periods.split(",")], seeds, temp)


if __name__ == "__main__":
    main()
