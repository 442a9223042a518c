'use strict';
// Memory: 100,000 create/free cycles of a small Dataset keep the RSS flat;
// datasets never closed are freed by the FinalizationRegistry fallback.
const test = require('node:test');
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const crm = require('..');

v8.setFlagsFromString('--expose-gc');
const gc = global.gc || vm.runInNewContext('gc');

const MB = 1024 * 1024;
const x = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]);
const s = ['a', 'b', null, 'a', 'c', 'b', 'a', 'd'];

function cycle() {
    const ds = crm.Dataset.fromColumns({ x, s });
    const f = ds.filter('x > 2');
    f.mutate('y', 'x * 2');
    f.column('y');
    f.close();
    ds.close();
}

async function settle() {
    for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setImmediate(r));
    }
}

function usage() {
    const m = process.memoryUsage();
    // native = what the process holds outside the V8 heap: the C library's
    // allocations, koffi's and Node's own. V8 sizes its heap by itself (it grows
    // in steps of ~16 MB with the WeakCells of the FinalizationRegistry, and
    // keeps the pages); the live JS objects are heapUsed.
    return { rss: m.rss / MB, native: (m.rss - m.heapTotal) / MB, heapUsed: m.heapUsed / MB };
}

async function cycles(n) {
    for (let i = 1; i <= n; i++) {
        cycle();
        if (i % 5000 === 0) gc();
    }
    await settle();
}

test('100,000 create/free cycles: memory stays flat after warm-up', async (t) => {
    await cycles(30000);
    const before = usage();
    await cycles(100000);
    const after = usage();
    const d = (k) => after[k] - before[k];
    t.diagnostic(`rss ${before.rss.toFixed(1)} -> ${after.rss.toFixed(1)} MB, `
                         + `outside the JS heap ${before.native.toFixed(1)} -> ${after.native.toFixed(1)} MB, `
                         + `JS heap used ${before.heapUsed.toFixed(1)} -> ${after.heapUsed.toFixed(1)} MB`);
    assert.ok(d('native') < 4, `memory outside the JS heap grew by ${d('native').toFixed(2)} MB`);
    assert.ok(d('heapUsed') < 2, `live JS heap grew by ${d('heapUsed').toFixed(2)} MB`);
    assert.ok(d('rss') < 20, `RSS grew by ${d('rss').toFixed(2)} MB`);
});

test('datasets and models left to the garbage collector are freed', async () => {
    const leak = () => {
        const ds = crm.Dataset.fromColumns({ x: new Float64Array(2000) });
        ds.clone();
    };
    for (let i = 0; i < 5000; i++) leak();
    await settle();
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 5000; i++) leak();
        await settle();
    }
    const grown = (process.memoryUsage().rss - before) / MB;
    // 25,000 x 2 unclosed datasets of 16 kB each would be ~800 MB without the fallback
    assert.ok(grown < 40, `RSS grew by ${grown.toFixed(2)} MB`);
});
