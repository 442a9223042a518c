"""Call overhead of the Python binding against plain ctypes.

    LIBCRM_PATH=$PWD/build/release/libcrm.so.1 PYTHONPATH=$PWD/bindings/python \\
        /usr/bin/python3 bench/bindings/python_overhead.py [--calls N] [--rows N]

1. N (default 1,000,000) calls of crm_version_number() through (a) a bare
   ctypes function (CDLL, restype set) and (b) libcrm._capi.crm_version_number,
   the generated layer's function; then the same for a function with an
   integer argument, crm_rfm_segment_name(0), which the generated layer
   checks against its C type (size_t) before the call.
2. A 1,000,000-row number column in and out: Dataset.from_columns with a numpy
   float64 array (no copy on the Python side) and with an array.array, then
   ds.to_columns(numpy=True) and ds[name] (a list of floats), against the bare
   ctypes calls crm_dataset_add_number / crm_dataset_get_number on the same
   buffers.

Prints ns per call (or per row) for both and the ratio; the goal is
wrapper <= 2x the bare ctypes call for the trivial call and the bulk column
transfers (rows marked "information" show the price of integer checks and of
building a list of Python floats). Each figure is the best of --repeat runs
(default 5).
"""

import argparse
import array
import ctypes
import time
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_size_t

import libcrm
from libcrm import _capi


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return min(times)


def calls(fn, n):
    def run():
        for _ in range(n):
            fn()
    return run


def calls1(fn, arg, n):
    def run():
        for _ in range(n):
            fn(arg)
    return run


def report(what, raw_ns, wrap_ns, per, unit, goal=True):
    ratio = wrap_ns / raw_ns
    if not goal:
        verdict = "(information)"
    else:
        verdict = "(goal <= 2: met)" if ratio <= 2.0 else "(goal <= 2: NOT met)"
    print("%-44s raw %9.1f %s  wrapper %9.1f %s  ratio %5.2f %s"
          % (what, raw_ns / per, unit, wrap_ns / per, unit, ratio, verdict))
    return ratio


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n, rows, repeat = args.calls, args.rows, args.repeat

    print("libcrm %s from %s" % (libcrm.library_version, libcrm.library_path))
    raw_lib = ctypes.CDLL(libcrm.library_path)
    raw_version = raw_lib.crm_version_number
    raw_version.restype = c_int32
    raw_version.argtypes = []
    raw_segment = raw_lib.crm_rfm_segment_name
    raw_segment.restype = c_char_p
    raw_segment.argtypes = [c_size_t]
    assert raw_version() == _capi.crm_version_number()
    assert raw_segment(0) == _capi.crm_rfm_segment_name(0)

    print("-- %d calls" % n)
    ratios = [report("crm_version_number()",
                     best(calls(raw_version, n), repeat),
                     best(calls(_capi.crm_version_number, n), repeat), n, "ns/call")]
    report("crm_rfm_segment_name(0) (integer checked)",
           best(calls1(raw_segment, 0, n), repeat),
           best(calls1(_capi.crm_rfm_segment_name, 0, n), repeat), n, "ns/call", goal=False)

    print("-- a %d-row number column (ns per row)" % rows)
    values = array.array("d", (float(i % 1000) * 0.5 for i in range(rows)))
    unchecked = lambda f: getattr(f, "raw", f)  # noqa: E731 (the bare ctypes function)
    raw_new = unchecked(_capi.crm_dataset_new)
    raw_add = unchecked(_capi.crm_dataset_add_number)
    raw_get = unchecked(_capi.crm_dataset_get_number)
    raw_free = unchecked(_capi.crm_dataset_free)
    handle = POINTER(_capi.crm_dataset)

    def raw_in():
        out = handle()
        raw_new(byref(out))
        raw_add(out, b"v", (c_double * rows).from_buffer(values), rows)
        raw_free(out)

    def array_in():
        libcrm.Dataset.from_columns({"v": values}).close()

    ds = libcrm.Dataset.from_columns({"v": values})
    target = array.array("d", bytes(8 * rows))

    def raw_out():
        raw_get(ds._handle, 0, 0, rows, (c_double * rows).from_buffer(target))

    try:
        import numpy as np
    except ImportError:
        np = None
    if np is not None:
        nvalues = np.frombuffer(values, dtype=np.float64)

        def numpy_in():
            libcrm.Dataset.from_columns({"v": nvalues}).close()

        def numpy_out():
            ds.to_columns(numpy=True)

        ratios.append(report("in:  from_columns(numpy float64)", best(raw_in, repeat),
                             best(numpy_in, repeat), rows, "ns/row"))
        ratios.append(report("out: to_columns(numpy=True)", best(raw_out, repeat),
                             best(numpy_out, repeat), rows, "ns/row"))
        assert np.array_equal(ds.to_columns(numpy=True)["v"], nvalues)
    else:
        print("(numpy not installed: numpy rows left out)")
    ratios.append(report("in:  from_columns(array.array('d'))", best(raw_in, repeat),
                         best(array_in, repeat), rows, "ns/row"))
    # a list makes one Python float per row: not a bulk transfer, shown for scale
    report("out: ds['v'] (a list of float objects)", best(raw_out, repeat),
           best(lambda: ds["v"], repeat), rows, "ns/row", goal=False)
    ds.close()
    print("largest ratio of the goal rows: %.2f" % max(ratios))


if __name__ == "__main__":
    main()
