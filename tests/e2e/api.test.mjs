// The automation API fed nonsense: every call settles within a second, rejecting
// with a message that names what is wrong; a good run works afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openPage } from "./session.mjs";

let session, page;

before(async () => {
  session = await openPage();
  [page] = session.pages;
});

after(async () => session?.close());

// [what the call is, the call as JavaScript source, what its rejection must say]
const BAD_CALLS = [
  ["no argument", "locklab.run()", /`scenario` is missing/],
  ["undefined", "locklab.run(undefined)", /`scenario` is missing/],
  ["null", "locklab.run(null)", /`scenario` must be an object.*got null/],
  ["a function", "locklab.run(() => 1)", /`scenario` must be an object.*got a function/],
  ["a number", "locklab.run(4)", /`scenario` must be an object.*got 4/],
  ["a string", "locklab.run('wall-of-red')", /`scenario` must be an object.*got "wall-of-red"/],
  ["an array", "locklab.run([1, 2])", /`scenario` must be an object.*got an array/],
  ["a BigInt", "locklab.run(5n)", /`scenario` must be an object.*got a BigInt \(5n\)/],
  ["a symbol", "locklab.run(Symbol('x'))", /`scenario` must be an object.*got a symbol/],
  ["a Date", "locklab.run(new Date())", /`scenario` must be an object.*got a Date/],
  ["a cyclic object", "(() => { const s = { workers: 2 }; s.self = s; return locklab.run(s); })()", /scenario field `self`: .*got an object that contains itself/],
  ["NaN workers", "locklab.run({ workers: NaN })", /scenario field `workers`: expected a whole number from 1 to 16, got NaN/],
  ["Infinity jobs", "locklab.run({ jobs: Infinity })", /scenario field `jobs`: expected a whole number from 1 to 1000000, got Infinity/],
  ["null workers", "locklab.run({ workers: null })", /scenario field `workers`.*got null/],
  ["a BigInt field", "locklab.run({ workers: 4n })", /scenario field `workers`: .*got a BigInt \(4n\)/],
  ["a function field", "locklab.run({ busy_timeout_ms: () => 5000 })", /scenario field `busy_timeout_ms`: .*got a function/],
  ["a string number", "locklab.run({ workers: '4' })", /scenario field `workers`: expected a whole number from 1 to 16, got "4"/],
  ["a fraction", "locklab.run({ workers: 2.5 })", /scenario field `workers`: expected a whole number from 1 to 16, got 2.5/],
  ["too many workers", "locklab.run({ workers: 40 })", /scenario field `workers`: expected a whole number from 1 to 16, got 40/],
  ["an unknown field", "locklab.run({ wrokers: 4 })", /scenario field `wrokers`/],
  ["a bad word", "locklab.run({ journal_mode: 'wall' })", /scenario field `journal_mode`: expected one of "delete", "truncate", "persist", "wal", got "wall"/],
  ["NaN inside work_ms", "locklab.run({ work_ms: [1, NaN] })", /scenario field `work_ms\[1\]`: .*got NaN/],
  ["options a number", "locklab.run({}, 5)", /`options` must be an object.*got 5/],
  ["options a string", "locklab.run({}, 'memory')", /`options` must be an object.*got "memory"/],
  ["storage a number", "locklab.run({}, { storage: 5 })", /option `storage`: expected "opfs" or "memory", got 5/],
  ["storage a word it does not know", "locklab.run({}, { storage: 'tape' })", /option `storage`: expected "opfs" or "memory", got "tape"/],
  ["storage NaN", "locklab.run({}, { storage: NaN })", /option `storage`: got NaN/],
  ["an unknown option", "locklab.run({}, { speed: 2 })", /option `speed`: unknown/],
  ["kill with no worker", "locklab.kill()", /`worker` must be a worker's number.*got undefined/],
  ["kill a name", "locklab.kill('worker 1')", /`worker` must be a worker's number.*got "worker 1"/],
  ["kill a negative worker", "locklab.kill(-1)", /`worker` must be a worker's number.*got -1/],
];

test(`${BAD_CALLS.length} bad calls each reject within a second, naming what is wrong`, async () => {
  assert.ok(BAD_CALLS.length >= 25);
  const results = await page.evaluate(async (calls) => {
    const out = [];
    for (const [what, source] of calls) {
      const started = performance.now();
      const settled = await Promise.race([
        Promise.resolve()
          .then(() => (0, eval)(source))
          .then((value) => ({ resolved: JSON.stringify(value) }), (e) => ({ rejected: String(e) })),
        new Promise((resolve) => setTimeout(() => resolve({ pending: true }), 1000)),
      ]);
      out.push({ what, ms: performance.now() - started, ...settled });
    }
    return out;
  }, BAD_CALLS.map(([what, source]) => [what, source]));
  for (const [i, [what, , pattern]] of BAD_CALLS.entries()) {
    const r = results[i];
    assert.ok(!r.pending, `${what}: still pending after a second`);
    assert.equal(r.resolved, undefined, `${what}: resolved to ${r.resolved}`);
    assert.match(r.rejected, pattern, what);
  }
});

test("after the nonsense, a good run works, and the other calls settle", async () => {
  const report = await page.evaluate(() => window.locklab.run({ workers: 2, jobs: 20, work_ms: 0 }, { storage: "memory" }));
  assert.equal(report.jobs.done, 20);
  assert.equal(report.integrity_check, "ok");
  const calls = await page.evaluate(async () => ({
    stop: await window.locklab.stop(),
    kill: await window.locklab.kill(1),
    progress: await window.locklab.progress(),
    presets: (await window.locklab.presets()).length,
    reopen: await window.locklab.reopen(),
  }));
  assert.deepEqual({ ...calls, reopen: { ...calls.reopen, run: "" } }, {
    stop: 0, kill: false, progress: [], presets: calls.presets,
    reopen: { run: "", jobs: 20, done: 20, integrity_check: "ok" },
  });
  assert.ok(calls.presets >= 11);
});

test("a worker refuses a first message that is not its wasm, messages of another protocol and shared buffers of the wrong number or size, saying so", async () => {
  const answers = await page.evaluate(async () => {
    // A worker's answer as text: worker_start.js posts JSON; the worker's Rust
    // posts { protocol, message } with the message's bytes, in which a failure's
    // words are UTF-8.
    const text = (data) => typeof data === "string" ? data : new TextDecoder().decode(data.message);
    const next = (worker) => new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); });
    // A whole checked scenario's Setup, as the page sends one: the first message
    // with shared buffers that a run of the page posts (to its keeper).
    const posted = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message?.buffers?.length) posted.push(message);
      return post.call(this, message, ...rest);
    };
    await window.locklab.run({ workers: 1, jobs: 2, work_ms: 0 }, { storage: "memory" });
    Worker.prototype.postMessage = post;
    const setup = posted[0].message;
    // A worker sent anything but the compiled wasm first says so, and goes no further.
    const stray = new Worker("./worker_start.js");
    const strayAnswer = next(stray);
    stray.postMessage("hello");
    const notAModule = JSON.parse(await strayAnswer);
    stray.terminate();
    const worker = new Worker("./worker_start.js");
    const hello = next(worker);
    worker.postMessage(await WebAssembly.compileStreaming(fetch("./worker_bg.wasm")));
    const ready = await hello;
    const ask = async (message) => { const answer = next(worker); worker.postMessage(message); return text(await answer); };
    const sab = (bytes) => new SharedArrayBuffer(bytes);
    const out = {
      notAModule,
      protocol: ready.protocol,
      setupBuffers: posted[0].buffers.length,
      oldProtocol: await ask({ protocol: ready.protocol - 1, message: setup, buffers: [] }),
      noProtocol: await ask({ message: setup, buffers: [] }),
      noBytes: await ask({ protocol: ready.protocol, json: "{}", buffers: [] }),
      tooFew: await ask({ protocol: ready.protocol, message: setup, buffers: [sab(20)] }),
      // The control words, then per database (one here) its VFS words, three
      // files, the power-cut record's words and three files of saved blocks, the
      // page cache's words and pages.
      wrongSize: await ask({ protocol: ready.protocol, message: setup, buffers: Array.from({ length: 11 }, () => sab(8)) }),
    };
    worker.terminate();
    return out;
  });
  assert.match(answers.notAModule.failed.message, /expects the compiled worker wasm as its first message/);
  assert.equal(typeof answers.protocol, "number");
  assert.equal(answers.setupBuffers, 11);
  assert.match(answers.oldProtocol, new RegExp(`the page speaks protocol ${answers.protocol - 1}, this worker ${answers.protocol}: .*reload the page`));
  assert.match(answers.noProtocol, /the page speaks protocol none/);
  assert.match(answers.noBytes, /a message without its bytes/);
  assert.match(answers.tooFew, /the page sent 1 shared buffers, this worker expects 11/);
  // 22 control words: 6 of the run's, then 16 interpreter locks (`processes`).
  assert.match(answers.wrongSize, /shared buffer 0 \(the run's control words\) holds 8 bytes, this worker expects 88/);
});
