'use strict';
// Overhead of the Node.js binding over koffi.
//
//   cmake --build --preset dev && (cd bindings/node && npm ci)
//   LIBCRM_PATH=$PWD/build/dev/libcrm.so.1 node bench/bindings/node_overhead.js
//
// 1. 1,000,000 calls of crm_version_number(): (a) a koffi function declared
//    directly (the FFI baseline) and (b) the generated wrapper (capi.js) that
//    the idiomatic layer calls; ns/call for both and the ratio (goal <= 2).
//    The same for crm_dataset_nrows(ds) (the wrapper checks the handle) and
//    the Dataset.nrows getter.
// 2. A 1,000,000-row number column in (Dataset.fromColumns with a Float64Array)
//    and out (Dataset.column): one bulk copy each way, no per-element calls.
// Best of 5 runs of each.

const path = require('path');
const crm = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

const { koffi, capi } = { koffi: crm.capi.koffi, capi: crm.capi };
const N = 1000000;
const RUNS = 5;

function best(fn) {
    let min = Infinity;
    for (let r = 0; r < RUNS; r++) {
        const t0 = process.hrtime.bigint();
        fn();
        const dt = Number(process.hrtime.bigint() - t0);
        if (dt < min) min = dt;
    }
    return min;
}

const lib = koffi.load(capi.LIBRARY_PATH);
const rawVersion = lib.func('int32_t crm_version_number(void)');
const wrapped = capi.crm_version_number;

let sink = 0;
const tRaw = best(() => { for (let i = 0; i < N; i++) sink += rawVersion(); });
const tWrap = best(() => { for (let i = 0; i < N; i++) sink += wrapped(); });
if (sink === 42) console.log('');

console.log(`crm_version_number x ${N}: raw koffi ${(tRaw / N).toFixed(1)} ns/call, `
            + `wrapper ${(tWrap / N).toFixed(1)} ns/call, ratio ${(tWrap / tRaw).toFixed(2)}`);

// The same for a call with a checked handle argument, and the idiomatic getter.
const rawNrows = lib.func('size_t crm_dataset_nrows(const void *ds)');
const small = crm.Dataset.fromColumns({ v: [1, 2, 3] });
const h = small._handle;
const tRawN = best(() => { for (let i = 0; i < N; i++) sink += rawNrows(h); });
const tWrapN = best(() => { for (let i = 0; i < N; i++) sink += capi.crm_dataset_nrows(h); });
const tIdiom = best(() => { for (let i = 0; i < N; i++) sink += small.nrows; });
small.close();
console.log(`crm_dataset_nrows x ${N}: raw koffi ${(tRawN / N).toFixed(1)} ns/call, `
            + `wrapper ${(tWrapN / N).toFixed(1)} ns/call (ratio ${(tWrapN / tRawN).toFixed(2)}), `
            + `Dataset.nrows ${(tIdiom / N).toFixed(1)} ns (ratio ${(tIdiom / tRawN).toFixed(2)})`);

const x = new Float64Array(N);
for (let i = 0; i < N; i++) x[i] = i * 0.25;
let ds = null;
const tIn = best(() => {
    if (ds) ds.close();
    ds = crm.Dataset.fromColumns({ x });
});
let back = null;
const tOut = best(() => { back = ds.column('x'); });
if (back[N - 1] !== x[N - 1]) throw new Error('column mismatch');
ds.close();
console.log(`1,000,000-row number column: in ${(tIn / 1e6).toFixed(2)} ms `
            + `(${(tIn / N).toFixed(2)} ns/row), out ${(tOut / 1e6).toFixed(2)} ms `
            + `(${(tOut / N).toFixed(2)} ns/row)`);
