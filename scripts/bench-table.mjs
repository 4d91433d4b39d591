// The table of scripts/bench-all.sh: reads the last line (one JSON object) of each
// benchmark's output kept in a results directory, and prints one row per figure
// with its target and whether it is met. Given two directories (before, after), it
// prints both side by side.
//
//   node scripts/bench-table.mjs DIR            one run's table
//   node scripts/bench-table.mjs BEFORE AFTER   the same table, before and after
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

/** The figures of one results directory: each benchmark's last JSON line, or null. */
function figures(dir) {
  const read = (name) => {
    const file = join(dir, `${name}.txt`);
    if (!existsSync(file)) return null;
    const lines = readFileSync(file, "utf8").trim().split("\n");
    try {
      return JSON.parse(lines[lines.length - 1]);
    } catch {
      return null;
    }
  };
  const meta = existsSync(join(dir, "meta.txt")) ? readFileSync(join(dir, "meta.txt"), "utf8").trim() : dir;
  return { meta, browser: read("browser"), handoff: read("handoff"), frames: read("frames"), replay: read("replay"),
    size: read("size"), million: read("million"), peers: read("peers") };
}

const at = (obj, path) => path.reduce((o, k) => (o == null ? null : o[k]), obj);
const num = (digits, unit = "") => (v) => (v == null || Number.isNaN(v) ? null : `${v.toFixed(digits)}${unit}`);
const kb = (v) => (v == null ? null : `${(v / 1000).toFixed(1)} KB`);
const atMost = (limit) => (v) => v != null && v <= limit;
const below = (limit) => (v) => v != null && v < limit;
const atLeast = (limit) => (v) => v != null && v >= limit;

/** Every row: [area, what, figure getter, format, target in words, target test]. */
function rows(f) {
  const out = [
    ["size", "page's wasm, gzipped", ["size", "app_gz"], kb, "", null],
    ["size", "worker's wasm, gzipped", ["size", "worker_gz"], kb, "", null],
    ["size", "both wasm files, gzipped", ["size", "total_gz"], kb, "<= 800.0 KB", atMost(800_000)],
    ["size", "SQLite strings in the page's wasm", ["size", "sqlite_strings_in_app"], num(0), "0", atMost(0)],
    ["load", "cold load to a ready page, ms", ["size", "load", "ready"], num(0), "< 500", below(500)],
  ];
  const scenarios = Object.keys(at(f, ["browser", "scenarios"]) ?? {});
  for (const name of scenarios) {
    const s = ["browser", "scenarios", name];
    const to = at(f, [...s, "to"]) === "shared" ? "native shared" : "native unix";
    const wal0 = name === "short-wal-work0";
    out.push(["jobs/s", `${name}: native unix`, [...s, "unix"], num(0), "", null]);
    out.push(["jobs/s", `${name}: native shared VFS`, [...s, "shared"], num(0), "", null]);
    out.push(["jobs/s", `${name}: browser OPFS / memory`, null, () => {
      const o = at(f, [...s, "opfs"]), m = at(f, [...s, "memory"]);
      return o == null ? null : `${o.toFixed(0)} / ${m.toFixed(0)}`;
    }, "", null]);
    out.push(["ratio", `${name}: OPFS / ${to}`, [...s, "opfs_ratio"], num(2),
      wal0 ? ">= 0.5 (and >= 0.8 as a preset)" : ">= 0.8", atLeast(wal0 ? 0.5 : 0.8)]);
    out.push(["ratio", `${name}: memory / ${to}`, [...s, "memory_ratio"], num(2), wal0 ? ">= 0.8" : "", wal0 ? atLeast(0.8) : null]);
  }
  for (const [mode, base] of [["rollback", ["handoff"]], ["WAL", ["handoff", "wal"]]]) {
    for (const [key, label] of [["native_unix", "native unix"], ["native_shared", "native shared VFS"], ["opfs", "browser OPFS"], ["memory", "browser memory"]]) {
      const h = [...base, key];
      const browser = key === "opfs" || key === "memory";
      out.push(["hand-off", `${mode}, ${label}: p50 us`, [...h, "p50"], num(1), browser ? "< 50" : "", browser ? below(50) : null]);
      out.push(["hand-off", `${mode}, ${label}: p95 / p99 us`, null, () => {
        const a = at(f, [...h, "p95"]), b = at(f, [...h, "p99"]);
        return a == null ? null : `${a.toFixed(1)} / ${b.toFixed(1)}`;
      }, "", null]);
    }
  }
  out.push(
    ["frames", "streaming: p50 ms", ["frames", "streaming", "p50"], num(1), "", null],
    ["frames", "streaming: p95 ms", ["frames", "streaming", "p95"], num(1), "<= 16.7", atMost(16.75)],
    ["frames", "streaming: max ms", ["frames", "streaming", "max"], num(1), "", null],
    ["frames", "streaming: long tasks (longest ms)", null, () => {
      const n = at(f, ["frames", "streaming", "long_tasks"]), l = at(f, ["frames", "streaming", "longest_ms"]);
      return n == null ? null : `${n} (${(l ?? 0).toFixed(0)})`;
    }, "none > 50 ms", () => { const l = at(f, ["frames", "streaming", "longest_ms"]); return l != null && l <= 50; }],
    ["frames", "zoom and pan after the run: p95 ms", ["frames", "zoom_pan", "p95"], num(1), "<= 16.7", atMost(16.75)],
  );
  // The replay (bench-replay.mjs): each speed's frames, and a comparison's.
  out.push(["replay", "the run replayed: trace events", ["replay", "events"], num(0), "", null]);
  for (const speed of Object.keys(at(f, ["replay", "replay"]) ?? {})) {
    out.push(["replay", `replay at ${speed}: p95 ms (main thread's ms a frame)`, null, () => {
      const r = at(f, ["replay", "replay", speed]);
      return r == null ? null : `${r.p95.toFixed(1)} (${r.busy.toFixed(1)})`;
    }, "<= 16.7", () => atMost(16.75)(at(f, ["replay", "replay", speed, "p95"]))]);
  }
  out.push(
    ["replay", "a comparison's zoom and pan: p95 ms (main thread's ms a frame)", null, () => {
      const r = at(f, ["replay", "compare", "zoom_pan"]);
      return r == null ? null : `${r.p95.toFixed(1)} (${r.busy.toFixed(1)})`;
    }, "<= 16.7", () => atMost(16.75)(at(f, ["replay", "compare", "zoom_pan", "p95"]))],
    ["million", "jobs done (of jobs asked)", null, () => {
      const m = f.million; return m?.outcome == null ? null : `${m.outcome}, ${m.jobs} jobs asked`;
    }, "completed", () => f.million?.outcome === "completed"],
    ["million", "wall time, s", ["million", "wall_s"], num(0), "", null],
    ["million", "page's peak memory, MB", ["million", "page_peak_mb"], num(0), "< 1024", below(1024)],
    ["million", "each worker's peak memory, MB", ["million", "worker_peak_mb"], num(0), "< 256", below(256)],
    ["million", "timeline zoom/pan frame p95, ms", ["million", "frame_p95_ms"], num(1), "<= 16.7", atMost(16.75)],
    ["million", "exactly once, integrity", null, () => {
      const m = f.million; return m == null ? null : `${m.exactly_once} ${m.integrity}`;
    }, "true ok", () => f.million?.exactly_once === true && f.million?.integrity === "ok"],
  );
  // The peers (bench-peers.mjs): each row's median jobs/s with 4 workers and 1,
  // whether every run did every job exactly once, and the target against the
  // fastest peer.
  const groups = at(f, ["peers", "workers"]) ?? {};
  for (const workers of Object.keys(groups).sort((a, b) => b - a)) {
    for (const name of Object.keys(groups[workers])) {
      const g = ["peers", "workers", workers, name];
      out.push(["peers", `${workers}w ${name}: jobs/s, runs in time`, null, () => {
        const r = at(f, g);
        return r == null ? null : `${r.jobs_per_s.toFixed(1)}, ${r.done_in_time}/${r.runs}`;
      }, "", null]);
      out.push(["peers", `${workers}w ${name}: runs exactly once; jobs doubled, lost; integrity`, null, () => {
        const r = at(f, g);
        if (r == null) return null;
        const sum = (xs) => xs.reduce((a, b) => a + b, 0);
        const bad = r.integrity.filter((i) => i !== "ok").length;
        return `${r.exactly_once}/${r.runs}; ${sum(r.claimed_twice)}, ${sum(r.lost)}; ` +
          (bad ? `not ok in ${bad} run${bad > 1 ? "s" : ""}` : "ok");
      }, "", null]);
    }
  }
  if (at(f, ["peers", "target", "4"])) {
    const t = ["peers", "target", "4"];
    out.push(["peers", "fastest peer, 4 workers", null, () => `${at(f, [...t, "fastest_peer"])}: ${at(f, [...t, "fastest_jobs_per_s"]).toFixed(1)} jobs/s`, "", null]);
    out.push(["peers", "locklab OPFS sync full / fastest peer", [...t, "full_ratio"], num(1), ">= 10", atLeast(10)]);
    out.push(["peers", "locklab OPFS sync normal / fastest peer", [...t, "normal_ratio"], num(1), ">= 10", atLeast(10)]);
  }
  if (at(f, ["peers", "probes"])) {
    out.push(["peers", "lost-update probe: peers that lost the update", null, () => {
      const lost = Object.entries(f.peers.probes).filter(([, p]) => p.lost_update).map(([k]) => k);
      return lost.length ? lost.join(", ") : "none";
    }, "", null]);
  }
  return out;
}

function cell(f, row) {
  const [, , path, format, , test] = row;
  const value = path ? at(f, path) : null;
  const text = path ? format(value) : format();
  const met = test == null ? "" : test(value) ? "yes" : "NO";
  return { text: text ?? "n/a", met: text == null && test ? "n/a" : met };
}

const dirs = process.argv.slice(2);
if (dirs.length < 1 || dirs.length > 2) {
  console.error("usage: node scripts/bench-table.mjs DIR [AFTER_DIR]");
  process.exit(2);
}
const runs = dirs.map(figures);
const last = runs[runs.length - 1];
// Each run's rows are its own (their getters read that run's figures), matched
// by what they measure; a row the other run lacks is n/a there.
const byRun = runs.map((f) => new Map(rows(f).map((row) => [row[1], row])));
const table = rows(last).map((row) => {
  const cells = runs.map((f, i) => (byRun[i].has(row[1]) ? cell(f, byRun[i].get(row[1])) : { text: "n/a", met: "" }));
  return [row[0], row[1], ...cells.map((c) => c.text), row[4], cells[cells.length - 1].met];
});
const head = ["area", "figure", ...(runs.length === 2 ? ["before", "after"] : ["value"]), "target", "met"];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
for (const [i, f] of runs.entries()) console.log(`${runs.length === 2 ? ["before", "after"][i] : "run"}: ${f.meta}`);
console.log(line(head));
for (const r of table) console.log(line(r));
