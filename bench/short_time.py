"""Time one crm command from a cold process, two builds alternating (bench/run_short.sh).

Usage: short_time.py RUNS NAME TMPDIR CRM_A CRM_B ARGS...
ARGS are the command's arguments; "OUTDIR" in them becomes TMPDIR/a or TMPDIR/b, and an
argument with "_" after --filter is the filter with its underscores read as spaces.
Prints two lines (A, B): the lowest wall time with that run's user and system time, and
the lowest user+system time. Exit 1 when the builds' standard output (paths masked) or
their output file differ, or a run fails.
"""
import os
import subprocess
import sys
import time


def args_for(args, outdir):
    out = []
    for i, a in enumerate(args):
        a = a.replace("OUTDIR", outdir)
        if i > 0 and args[i - 1] == "--filter":
            a = a.replace("_", " ")
        out.append(a)
    return out


def timed(crm, args):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execv(crm, [crm] + args)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"short_time.py: {crm} {' '.join(args)} failed ({status})")
    return wall, ru.ru_utime, ru.ru_stime


def main():
    runs, name, tmp, crm_a, crm_b = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
    args = sys.argv[6:]
    for k in ("OPENBLAS_NUM_THREADS", "OPENBLAS_THREAD_TIMEOUT", "OMP_NUM_THREADS"):
        os.environ.pop(k, None)
    sides = {"A": (crm_a, os.path.join(tmp, "a")), "B": (crm_b, os.path.join(tmp, "b"))}
    times = {"A": [], "B": []}
    for _ in range(runs):
        for side, (crm, outdir) in sides.items():
            times[side].append(timed(crm, args_for(args, outdir)))
    # one more run of each, its output kept and compared
    outs = {}
    for side, (crm, outdir) in sides.items():
        r = subprocess.run([crm] + args_for(args, outdir), capture_output=True, check=True)
        outs[side] = r.stdout.replace(outdir.encode(), b"OUTDIR")
    ok = outs["A"] == outs["B"]
    files = sorted(f for f in os.listdir(sides["A"][1]) if f.startswith("out."))
    for f in files:
        with open(os.path.join(sides["A"][1], f), "rb") as fa, open(os.path.join(sides["B"][1], f), "rb") as fb:
            if fa.read() != fb.read():
                print(f"short_time.py: {name}: {f} differs between the builds", file=sys.stderr)
                ok = False
    if outs["A"] != outs["B"]:
        print(f"short_time.py: {name}: standard output differs between the builds", file=sys.stderr)
    for side in ("A", "B"):
        w, u, s = min(times[side])
        cpu = min(u + s for _, u, s in times[side])
        print(f"{name:8s} {side} best wall of {runs}: {w:.4f} s (user {u:.4f} s, sys {s:.4f} s);"
              f" least CPU {cpu:.4f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
