"""The binding requirements every language meets (bindings/README.md, issue item 6),
for Python: progress callbacks and cancellation, an exception inside a callback,
deterministic release and use after close, misuse (wrong types, unknown option
names, NUL in strings), options round trips, errors carrying the library's
message from the calling thread, and flat memory over 100,000 create/free
cycles."""

import ctypes
import datetime
import gc
import os
import threading

import pytest

import libcrm
from libcrm import _capi, _options


def blobs(n=60):
    xs, ys = [], []
    for i in range(n):
        xs.append(float(i % 3) * 10.0 + (i % 7) * 0.1)
        ys.append(float(i % 3) * -5.0 + (i % 5) * 0.1)
    return libcrm.Dataset({"x": xs, "y": ys})


def churn(n=200):
    tenure = [float(i % 50) for i in range(n)]
    charges = [20.0 + (i * 37 % 80) for i in range(n)]
    churned = ["Yes" if (i * 7919) % 10 < 3 + (i % 50 < 10) * 4 else "No" for i in range(n)]
    contract = ["monthly" if i % 3 else "yearly" for i in range(n)]
    return libcrm.Dataset({"tenure": tenure, "charges": charges, "Churn": churned,
                           "contract": contract})


def baskets():
    text = "\n".join(["1 2 3", "1 2", "2 3", "1 2 3 4", "1 3", "2 4", "1 2 4"] * 5)
    ds = libcrm.Dataset.read_csv_string("tid,item\n" + "\n".join(
        "%d,i%s" % (t, item) for t, line in enumerate(text.split("\n"))
        for item in line.split()))
    return ds


def series():
    return [100.0 + 10.0 * ((t * 7) % 12) + t * 0.8 + (t % 5) for t in range(72)]


def monthly_groups(groups=3, months=36):
    g, dates, values = [], [], []
    for k in range(groups):
        for t in range(months):
            g.append("s%d" % k)
            dates.append(datetime.date(2020 + t // 12, 1 + t % 12, 1))
            values.append(50.0 * (k + 1) + 5.0 * ((t * 5) % 12) + t + (t % 3))
    return libcrm.Dataset({"g": g, "date": dates, "value": values})


# Each fitting entry point with a progress callback: (name, call(progress)).
FITS = {
    "KMeans": lambda p: libcrm.KMeans(k=3, n_init=3, seed=1, n_threads=1,
                                      progress=p).fit(blobs(), ["x", "y"]),
    "KMeans.elbow": lambda p: libcrm.KMeans(seed=1, n_threads=1, progress=p).elbow(
        blobs(), ["x", "y"], 1, 3),
    "LogisticRegression": lambda p: libcrm.LogisticRegression(
        positive="Yes", n_threads=1, solver="lbfgs", progress=p).fit(
        churn(), "Churn", ["tenure", "charges", "contract"]),
    "DecisionTree": lambda p: libcrm.DecisionTree(max_depth=3, progress=p).fit(
        churn(), "Churn", ["tenure", "charges", "contract"]),
    "arima_many": lambda p: libcrm.arima_many(monthly_groups(), "g", "date", "value", h=3,
                                              p=1, d=1, q=0, n_threads=1, progress=p),
    "apriori": lambda p: libcrm.apriori(baskets(), "tid", "item", min_support=0.1,
                                        n_threads=1, progress=p),
}


# -- progress callbacks and cancellation --------------------------------------------------

@pytest.mark.parametrize("name", sorted(FITS))
def test_progress_is_called_with_fractions(name):
    seen = []
    FITS[name](lambda f: seen.append(f) or False)
    assert seen, "%s never called its progress callback" % name
    assert all(isinstance(f, float) and 0.0 <= f <= 1.0 for f in seen), seen


@pytest.mark.parametrize("name", sorted(FITS))
def test_progress_returning_true_cancels(name):
    calls = []
    with pytest.raises(libcrm.CancelledError) as info:
        FITS[name](lambda f: calls.append(f) or True)
    assert info.value.status == _capi.CRM_E_CANCELLED
    assert info.value.status_name == "CRM_E_CANCELLED"
    assert len(calls) == 1  # cancelled at the first call


class Boom(Exception):
    pass


@pytest.mark.parametrize("name", sorted(FITS))
def test_exception_in_callback_cancels_and_is_raised_after_the_call(name):
    calls = []

    def progress(fraction):
        calls.append(fraction)
        raise Boom("from the callback at %.3f" % fraction)

    with pytest.raises(Boom, match="from the callback") as info:
        FITS[name](progress)
    # the call was cancelled (the exception did not unwind through C) ...
    assert isinstance(info.value.__cause__, libcrm.CancelledError)
    # ... at once: the callback ran once
    assert len(calls) == 1
    # and the library is fine afterwards
    FITS[name](None)


def test_keyboard_interrupt_in_callback_is_raised_after_the_call():
    def progress(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        FITS["KMeans"](progress)


def test_progress_must_be_callable():
    with pytest.raises(TypeError, match="progress must be callable"):
        libcrm.KMeans(k=2, progress=42).fit(blobs(), ["x", "y"])


def test_callback_on_another_thread():
    seen = []
    errors = []

    def work():
        try:
            FITS["LogisticRegression"](lambda f: seen.append(threading.get_ident()) or False)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert not errors
    assert seen and set(seen) == {t.ident}


# -- the dataset of a running call ------------------------------------------------------

def big_blobs(n=200000):
    return libcrm.Dataset({"x": [float(i % 5) * 4.0 + (i % 7) * 0.1 for i in range(n)],
                           "y": [float(i * 3 % 5) * 4.0 + (i % 11) * 0.1 for i in range(n)]})


def test_closing_the_dataset_inside_the_callback():
    # the fit holds the dataset: closing it from the callback frees it when the fit returns
    x = big_blobs()
    want = libcrm.KMeans(k=5, n_init=3, seed=1).fit(x, ["x", "y"]).to_json()
    calls = []

    def progress(fraction):
        calls.append(fraction)
        x.close()
        return False

    model = libcrm.KMeans(k=5, n_init=3, seed=1, progress=progress).fit(x, ["x", "y"])
    assert len(calls) > 1  # the fit went on after the close
    assert model.to_json() == want
    with pytest.raises(libcrm.StateError, match="closed"):
        x.nrows


def test_changing_the_dataset_inside_the_callback_raises_state_error():
    x = big_blobs(20000)
    with pytest.raises(libcrm.StateError, match="crm_dataset_mutate: the dataset is in use by "
                       "a running call") as info:
        libcrm.KMeans(k=5, n_init=3, seed=1, progress=lambda f: x.mutate("z", "x + y")).fit(
            x, ["x", "y"])
    assert isinstance(info.value.__cause__, libcrm.CancelledError)
    with pytest.raises(libcrm.StateError, match="crm_dataset_drop_column: the dataset is in use"):
        libcrm.KMeans(k=5, progress=lambda f: x.drop_column("y")).fit(x, ["x", "y"])
    assert x.columns == ["x", "y"]
    x.mutate("z", "x + y")  # free to change again after the fit
    assert x.ncols == 3


# -- release and use after close ----------------------------------------------------------

def test_dataset_use_after_close_raises():
    ds = blobs()
    ds.close()
    ds.close()  # twice is harmless
    for use in (len, lambda d: d["x"], lambda d: d.to_columns(), lambda d: d.filter("x > 1"),
                lambda d: d.add_column("z", [1.0]), lambda d: d.clone(), lambda d: d.columns,
                lambda d: d.describe(), lambda d: d.write_csv("/nonexistent/x.csv")):
        with pytest.raises(libcrm.StateError, match="closed"):
            use(ds)
    km = libcrm.KMeans(k=2, seed=1).fit(blobs(), ["x", "y"])
    with pytest.raises(libcrm.StateError):
        km.predict(ds, "cluster")
    with pytest.raises(libcrm.StateError):
        km.fit(ds, ["x", "y"])


def test_model_close_and_context_manager(tmp_path):
    ds = blobs()
    with libcrm.KMeans(k=3, seed=1, n_threads=1) as km:
        km.fit(ds, ["x", "y"])
        inertia = km.stat("inertia")
    assert "closed" in repr(km)
    for use in (lambda m: m.predict(ds, "c"), lambda m: m.stats(), lambda m: m.summary(),
                lambda m: m.to_json(), lambda m: m.save(str(tmp_path / "m.json")),
                lambda m: m.stat("inertia"), lambda m: m.kind_name):
        with pytest.raises(libcrm.StateError, match="closed"):
            use(km)
    km.close()  # twice is harmless
    km.fit(ds, ["x", "y"])  # fitting again gives it a new model
    assert km.stat("inertia") == inertia
    loaded = libcrm.Model.from_json(km.to_json())
    loaded.close()
    with pytest.raises(libcrm.StateError):
        loaded.predict(ds, "c")


def test_refit_frees_the_previous_model():
    km = libcrm.KMeans(k=2, seed=1, n_threads=1)
    ds = blobs()
    km.fit(ds, ["x", "y"])
    first = km._finalizer
    km.fit(ds, ["x", "y"])
    assert not first.alive and km._finalizer.alive


def test_arima_forecast_after_close():
    m = libcrm.Arima(p=1, d=1, q=0).fit(series())
    m.close()
    with pytest.raises(libcrm.StateError):
        m.forecast(3)


# -- misuse: wrong types, unknown options, NUL --------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: libcrm.Dataset.read_csv_string("a\n1\n", bogus=1),
    lambda: libcrm.KMeans(k=2, bogus=1).fit(blobs(), ["x", "y"]),
    lambda: libcrm.LogisticRegression(bogus=1).fit(churn(), "Churn", ["tenure"]),
    lambda: libcrm.LinearRegression(bogus=1).fit(churn(), "charges", ["tenure"]),
    lambda: libcrm.DecisionTree(bogus=1).fit(churn(), "Churn", ["tenure"]),
    lambda: libcrm.Arima(bogus=1).fit(series()),
    lambda: libcrm.arima_many(blobs(), "x", "x", "y", bogus=1),
    lambda: libcrm.apriori(baskets(), "tid", "item", bogus=1),
    lambda: libcrm.rfm(blobs(), customer="x", date="y", bogus=1),
    lambda: libcrm.synth(bogus=1),
])
def test_unknown_option_names_raise_type_error(make):
    with pytest.raises(TypeError, match="bogus"):
        make()


@pytest.mark.parametrize("options, exc", [
    ({"k": 2.0}, TypeError),
    ({"k": True}, TypeError),
    ({"k": "2"}, TypeError),
    ({"k": 2 ** 31}, OverflowError),
    ({"seed": -1}, OverflowError),
    ({"seed": 2 ** 64}, OverflowError),
    ({"init": "nonsense"}, ValueError),
    ({"tol": "small"}, TypeError),
    ({"mutate": "x=x"}, TypeError),
    ({"mutate": ["x=x\0"]}, ValueError),
])
def test_wrong_option_values_are_refused_before_c(options, exc):
    with pytest.raises(exc):
        libcrm.KMeans(**options).fit(blobs(), ["x", "y"])


def test_wrong_argument_types():
    ds = blobs()
    with pytest.raises(TypeError):
        libcrm.KMeans(k=2).fit([1, 2, 3], ["x"])
    with pytest.raises(TypeError):
        ds.filter(42)
    with pytest.raises(ValueError, match="NUL"):
        ds.filter("x > 1\0 or 1")
    with pytest.raises(ValueError, match="NUL"):
        ds["x\0y"]
    with pytest.raises(ValueError, match="NUL"):
        libcrm.Dataset({"t": ["a\0b"]})
    with pytest.raises(TypeError):
        ds.head(2.5)
    with pytest.raises(TypeError):
        libcrm.Dataset({"x": [object()]})
    with pytest.raises(OverflowError):
        _capi.crm_dataset_head(ds._handle, -1, None)
    # the dataset is untouched by all of it
    assert ds.shape == (60, 2)


@pytest.mark.parametrize("call", [
    lambda x: libcrm.KMeans(k=2).fit(x, ["x"]),
    lambda x: libcrm.KMeans(k=2).elbow(x, ["x"], 1, 2),
    lambda x: libcrm.silhouette(x, ["x"], "c"),
    lambda x: libcrm.apriori(x, "tid", "item"),
    lambda x: libcrm.DecisionTree().pruning_path(x, "y", ["x"]),
    lambda x: libcrm.nps(x, "x"),
    lambda x: libcrm.satisfaction(x, "x", ["a"]),
    lambda x: libcrm.funnel(x, "x", ["a"]),
    lambda x: libcrm.rfm(x, customer="c", date="d", amount="a"),
    lambda x: libcrm.Arima().fit_dataset(x, "d", "v"),
    lambda x: blobs().join(x, "x"),
])
def test_a_dataset_argument_must_be_a_dataset(call):
    with pytest.raises(TypeError, match="Dataset"):
        call({"x": [1.0]})


# -- errors carry the library's message ---------------------------------------------------

def test_error_carries_message_with_position(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(libcrm.ParseError) as info:
        libcrm.Dataset.read_csv(str(path))
    assert str(path) + ":3:" in info.value.message
    assert info.value.status == _capi.CRM_E_PARSE and isinstance(info.value, ValueError)
    with pytest.raises(libcrm.NotFoundError, match="nope"):
        blobs()["nope"]
    with pytest.raises(libcrm.CrmIOError):
        libcrm.Dataset.read_csv(str(tmp_path / "missing.csv"))


def test_messages_are_per_thread():
    barrier = threading.Barrier(2)
    got = {}

    def fail(name):
        ds = blobs()
        barrier.wait()
        for _ in range(200):
            try:
                ds[name]
            except libcrm.NotFoundError as exc:
                got.setdefault(name, set()).add(exc.message)

    threads = [threading.Thread(target=fail, args=(n,)) for n in ("first_col", "second_col")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got["first_col"]) == 1 and "first_col" in got["first_col"].pop()
    assert len(got["second_col"]) == 1 and "second_col" in got["second_col"].pop()


# -- options round trips ------------------------------------------------------------------

def test_options_round_trip():
    settings = {"k": 7, "n_init": 3, "max_iter": 50, "init": "random", "tol": 1e-3,
                "seed": 2 ** 64 - 1, "standardize": 1, "n_threads": 2, "algorithm": "lloyd",
                "sample_weight": "w", "mutate": ["a=log1p(a)", "b=b*2"]}
    named = dict(settings, init=_capi.CRM_KMEANS_INIT_RANDOM, algorithm=_capi.CRM_KMEANS_LLOYD)
    opts, keep = _options.build(_capi.crm_kmeans_options, named, "KMeans")
    assert opts.size == ctypes.sizeof(_capi.crm_kmeans_options)
    assert (opts.k, opts.n_init, opts.max_iter, opts.init) == (7, 3, 50, 2)
    assert (opts.tol, opts.seed, opts.standardize, opts.n_threads) == (1e-3, 2 ** 64 - 1, 1, 2)
    assert opts.algorithm == _capi.CRM_KMEANS_LLOYD and opts.sample_weight == b"w"
    assert opts.n_mutate == 2 and [opts.mutate[i] for i in range(2)] == [b"a=log1p(a)", b"b=b*2"]
    # the fields not given keep the library's defaults
    defaults = _capi.crm_kmeans_options.defaults()
    opts, keep = _options.build(_capi.crm_kmeans_options, {"k": 3}, "KMeans")
    for name, _ in _capi.crm_kmeans_options._fields_:
        if name == "k":
            continue
        got, want = getattr(opts, name), getattr(defaults, name)
        if isinstance(want, (ctypes._Pointer, ctypes._CFuncPtr)):
            got, want = bool(got), bool(want)  # NULL by default
        assert got == want, name
    # the Pythonic classes map names the same way
    km = libcrm.KMeans(**dict(settings, sample_weight=None, mutate=None, n_threads=1))
    built, keep = km._build_options()
    assert (built.init, built.algorithm, built.seed) == (2, _capi.CRM_KMEANS_LLOYD, 2 ** 64 - 1)


def test_fitted_options_show_in_the_model_and_survive_json():
    ds = blobs()
    km = libcrm.KMeans(k=3, seed=5, n_threads=1, mutate=["x=x*2"]).fit(ds, ["x", "y"])
    assert len(km.summary()) == 3 and km.mutate == ["x=x*2"]
    again = libcrm.Model.from_json(km.to_json())
    assert isinstance(again, libcrm.KMeans)
    assert again.to_json() == km.to_json() and again.stats() == km.stats()
    a, b = km.predict(ds.clone(), "c")["c"], again.predict(ds.clone(), "c")["c"]
    assert a == b


# -- columns in and out in bulk -----------------------------------------------------------

def test_array_array_columns():
    import array
    ds = libcrm.Dataset({"d": array.array("d", [1.5, float("nan"), -0.0]),
                         "i": array.array("i", [1, -2, 3])})
    assert ds.dtypes == {"d": "number", "i": "number"}
    assert ds["d"] == [1.5, None, -0.0] and ds["i"] == [1.0, -2.0, 3.0]
    with pytest.raises(libcrm.InvalidError, match="1 values but the dataset has 3 rows"):
        ds.add_column("z", array.array("d", [1.0]))
    empty = libcrm.Dataset({"e": array.array("d")})
    assert empty.shape == (0, 1) and empty["e"] == []


def test_number_and_time_columns_round_trip_in_bulk():
    np = pytest.importorskip("numpy")
    values = np.linspace(-1e6, 1e6, 100_001)
    values[17] = np.nan
    times = (np.arange(100_001, dtype=np.int64) * 3600).astype("datetime64[s]")
    times[5] = np.datetime64("NaT")
    ds = libcrm.Dataset.from_columns({"v": values, "t": times})
    cols = ds.to_columns(numpy=True)
    assert cols["v"].dtype == np.float64 and cols["t"].dtype == np.dtype("datetime64[s]")
    assert np.array_equal(cols["v"], values, equal_nan=True)
    assert np.array_equal(cols["t"], times, equal_nan=True)
    assert ds["v"][17] is None and ds["t"][5] is None


# -- memory: flat RSS over 100,000 create/free cycles -------------------------------------

# Under AddressSanitizer (the asan preset preloads it) freed memory waits in a
# quarantine of up to 256 MB, so RSS says nothing about leaks there; the C
# suites check leaks under ASan instead.
UNDER_ASAN = "libasan" in os.environ.get("LD_PRELOAD", "")
needs_plain_rss = pytest.mark.skipif(
    UNDER_ASAN or not os.path.exists("/proc/self/status"),
    reason="RSS is only meaningful without a sanitizer, on Linux (/proc/self/status)")


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    pytest.skip("no VmRSS in /proc/self/status")


def cycle(n):
    for i in range(n):
        with libcrm.Dataset({"a": [1.0, 2.0, float(i)], "b": ["x", "y", "z"]}) as ds:
            assert len(ds) == 3
        # and one freed by the garbage collector instead of close()
        libcrm.Dataset({"c": [float(i)]})


@needs_plain_rss
def test_create_free_cycles_keep_rss_flat():
    cycle(10_000)  # warm-up: allocator pools, caches, ctypes types
    gc.collect()
    before = rss_kib()
    cycle(100_000)
    gc.collect()
    after = rss_kib()
    growth = after - before
    print("RSS %d KiB -> %d KiB over 100,000 cycles (%+d KiB)" % (before, after, growth))
    assert growth < 2048, "RSS grew by %d KiB over 100,000 create/free cycles" % growth


@needs_plain_rss
def test_model_fit_free_cycles_keep_rss_flat():
    ds = blobs(30)

    def fits(n):
        for _ in range(n):
            with libcrm.KMeans(k=2, n_init=1, seed=1, n_threads=1) as km:
                km.fit(ds, ["x", "y"])
            try:
                libcrm.KMeans(k=2, progress=lambda f: True).fit(ds, ["x", "y"])
            except libcrm.CancelledError:
                pass

    fits(1_000)
    gc.collect()
    before = rss_kib()
    fits(10_000)
    gc.collect()
    growth = rss_kib() - before
    assert growth < 2048, "RSS grew by %d KiB over 10,000 fit/free cycles" % growth
