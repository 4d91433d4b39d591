// What the benchmarks share: the median of their figures, and the arguments of
// the two that set one build of the page beside another (bench-ab, bench-first-run).

/** The middle value of `xs` (the upper of the two middle ones for an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The job queue both A/B benchmarks run unless given another scenario. */
const SHORT_WAL = {
  workers: 4, jobs: 2000, transaction: "short", begin: "immediate", journal_mode: "wal",
  synchronous: "normal", busy_timeout_ms: 5000, work_ms: 0,
};

/**
 * `<dist A> <dist B> [memory|opfs] [count] [scenario JSON]` from the command line:
 * the two builds, the storage (memory), how many runs or rounds (`count` when not
 * given) and the scenario (the short WAL job queue).
 */
export function twoBuilds(count) {
  const [distA, distB] = process.argv.slice(2, 4);
  return {
    distA,
    distB,
    storage: process.argv[4] ?? "memory",
    count: Number(process.argv[5] ?? count),
    scenario: process.argv[6] ? JSON.parse(process.argv[6]) : SHORT_WAL,
  };
}
