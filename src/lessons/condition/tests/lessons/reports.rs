//! Real run reports (`locklab run --json`), trimmed, that the translated
//! lessons are evaluated on.

/// `locklab run --preset wall-of-red --json`.
pub(super) const WALL_OF_RED: &str = r#"{
  "scenario": {"name": "wall-of-red", "journal_mode": "delete", "busy_timeout_ms": 0, "workers": 4, "readers": 0},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-trace (traced unix)",
  "journal_mode": "delete",
  "elapsed_ms": 719.086,
  "outcome": "completed",
  "jobs": {"seeded": 60, "done": 60, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 0, "stuck": 0},
  "transactions": {"committed": 64, "rolled_back": 417, "shared": 0},
  "errors": {"SQLITE_BUSY": 417},
  "busy_wait_ms": 0.0,
  "refused_locks": 417,
  "wal_bytes_max": 0,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 60, "p50": 12.109, "p95": 16.907, "p99": 17.141, "max": 17.141, "mean": 11.894},
  "write_lock_hold_ms": {"count": 60, "p50": 12.07, "p95": 16.873, "p99": 17.099, "max": 17.099, "mean": 11.848},
  "throughput_jobs_per_s": 83.439,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": true, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 0, "errors": {"SQLITE_BUSY": 139}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 6.414, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 139},
    {"id": 1, "role": "writer", "jobs_done": 0, "errors": {"SQLITE_BUSY": 139}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 4.132, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 139},
    {"id": 2, "role": "writer", "jobs_done": 0, "errors": {"SQLITE_BUSY": 139}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 4.074, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 139},
    {"id": 3, "role": "writer", "jobs_done": 60, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 1.829, "reserved": 619.733, "pending": 0.0, "exclusive": 91.131, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 0}
  ],
  "failure": null
}"#;

/// the preset busy-timeout with busy_timeout_ms 0 (the lesson busy-timeout's run A).
pub(super) const BUSY_TIMEOUT_0: &str = r#"{
  "scenario": {"name": "busy-timeout", "journal_mode": "delete", "busy_timeout_ms": 0, "workers": 4, "readers": 0},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-trace (traced unix)",
  "journal_mode": "delete",
  "elapsed_ms": 741.358,
  "outcome": "completed",
  "jobs": {"seeded": 60, "done": 60, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 0, "stuck": 0},
  "transactions": {"committed": 64, "rolled_back": 0, "shared": 0},
  "errors": {"SQLITE_BUSY": 430},
  "busy_wait_ms": 0.0,
  "refused_locks": 430,
  "wal_bytes_max": 0,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 60, "p50": 12.373, "p95": 17.297, "p99": 20.067, "max": 20.067, "mean": 12.315},
  "write_lock_hold_ms": {"count": 64, "p50": 12.08, "p95": 17.11, "p99": 20.01, "max": 20.01, "mean": 11.508},
  "throughput_jobs_per_s": 80.933,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": true, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 0, "errors": {"SQLITE_BUSY": 143}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 3.673, "reserved": 0.154, "pending": 0.0, "exclusive": 0.007, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 143},
    {"id": 1, "role": "writer", "jobs_done": 0, "errors": {"SQLITE_BUSY": 143}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 4.833, "reserved": 0.145, "pending": 0.0, "exclusive": 0.005, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 143},
    {"id": 2, "role": "writer", "jobs_done": 0, "errors": {"SQLITE_BUSY": 143}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 3.636, "reserved": 0.073, "pending": 0.0, "exclusive": 0.005, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 143},
    {"id": 3, "role": "writer", "jobs_done": 60, "errors": {"SQLITE_BUSY": 1}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 1.8, "reserved": 615.99, "pending": 5.244, "exclusive": 114.866, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 1}
  ],
  "failure": null
}"#;

/// `--preset busy-timeout` (busy_timeout_ms 5000, BEGIN IMMEDIATE: run B).
pub(super) const BUSY_TIMEOUT: &str = r#"{
  "scenario": {"name": "busy-timeout", "journal_mode": "delete", "busy_timeout_ms": 5000, "workers": 4, "readers": 0},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-trace (traced unix)",
  "journal_mode": "delete",
  "elapsed_ms": 831.945,
  "outcome": "completed",
  "jobs": {"seeded": 60, "done": 60, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 0, "stuck": 0},
  "transactions": {"committed": 64, "rolled_back": 0, "shared": 0},
  "errors": {},
  "busy_wait_ms": 2288.6,
  "refused_locks": 49,
  "wal_bytes_max": 0,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 60, "p50": 11.896, "p95": 16.153, "p99": 18.463, "max": 18.463, "mean": 11.623},
  "write_lock_hold_ms": {"count": 64, "p50": 11.692, "p95": 16.077, "p99": 18.424, "max": 18.424, "mean": 10.866},
  "throughput_jobs_per_s": 72.12,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": true, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 0, "errors": {}, "busy_wait_ms": 729.653, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 0.378, "reserved": 0.076, "pending": 0.0, "exclusive": 0.005, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 16},
    {"id": 1, "role": "writer", "jobs_done": 60, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 1.467, "reserved": 606.499, "pending": 0.0, "exclusive": 88.45, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 0},
    {"id": 2, "role": "writer", "jobs_done": 0, "errors": {}, "busy_wait_ms": 729.53, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 0.575, "reserved": 0.185, "pending": 0.0, "exclusive": 0.007, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 16},
    {"id": 3, "role": "writer", "jobs_done": 0, "errors": {}, "busy_wait_ms": 829.417, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 0.438, "reserved": 0.221, "pending": 0.0, "exclusive": 0.007, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 17}
  ],
  "failure": null
}"#;

/// `--preset shared-connection`: four tasks on one connection.
pub(super) const SHARED_CONNECTION: &str = r#"{
  "scenario": {"name": "shared-connection", "journal_mode": "wal", "busy_timeout_ms": 1000, "workers": 1, "readers": 0},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-trace (traced unix)",
  "journal_mode": "wal",
  "elapsed_ms": 81.416,
  "outcome": "completed",
  "jobs": {"seeded": 40, "done": 32, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 0, "stuck": 8},
  "transactions": {"committed": 67, "rolled_back": 13, "shared": 6},
  "errors": {"SQLITE_ERROR": 26, "SQLITE_LOCKED": 5},
  "busy_wait_ms": 0.0,
  "refused_locks": 1,
  "wal_bytes_max": 2360792,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 30, "p50": 5.72, "p95": 36.109, "p99": 50.505, "max": 50.505, "mean": 10.222},
  "write_lock_hold_ms": {"count": 467, "p50": 0.02, "p95": 0.085, "p99": 0.17, "max": 0.341, "mean": 0.037},
  "throughput_jobs_per_s": 393.043,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": false, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 30, "errors": {"SQLITE_ERROR": 26, "SQLITE_LOCKED": 5}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 80.86, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 20.641, "wal_write": 17.146}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 1}
  ],
  "failure": null
}"#;

/// the same with serialize_tasks true.
pub(super) const SERIALIZED: &str = r#"{
  "scenario": {"name": "shared-connection", "journal_mode": "wal", "busy_timeout_ms": 1000, "workers": 1, "readers": 0},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-trace (traced unix)",
  "journal_mode": "wal",
  "elapsed_ms": 55.695,
  "outcome": "completed",
  "jobs": {"seeded": 40, "done": 40, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 0, "stuck": 0},
  "transactions": {"committed": 84, "rolled_back": 0, "shared": 0},
  "errors": {},
  "busy_wait_ms": 0.0,
  "refused_locks": 1,
  "wal_bytes_max": 2949952,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 40, "p50": 5.25, "p95": 7.035, "p99": 7.079, "max": 7.079, "mean": 5.194},
  "write_lock_hold_ms": {"count": 563, "p50": 0.022, "p95": 0.097, "p99": 0.136, "max": 0.164, "mean": 0.039},
  "throughput_jobs_per_s": 718.197,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": true, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 40, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 55.13, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 26.536, "wal_write": 21.914}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 1}
  ],
  "failure": null
}"#;

/// `--preset readers-block-writer`: one writer, two readers, rollback journal.
pub(super) const READERS_BLOCK_WRITER: &str = r#"{
  "scenario": {"name": "readers-block-writer", "journal_mode": "delete", "busy_timeout_ms": 0, "workers": 1, "readers": 2},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-trace (traced unix)",
  "journal_mode": "delete",
  "elapsed_ms": 921.869,
  "outcome": "completed",
  "jobs": {"seeded": 40, "done": 40, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 0, "stuck": 0},
  "transactions": {"committed": 103, "rolled_back": 132, "shared": 0},
  "errors": {"SQLITE_BUSY": 252},
  "busy_wait_ms": 0.0,
  "refused_locks": 252,
  "wal_bytes_max": 0,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 40, "p50": 6.321, "p95": 49.982, "p99": 57.714, "max": 57.714, "mean": 21.639},
  "write_lock_hold_ms": {"count": 81, "p50": 1.502, "p95": 43.445, "p99": 52.317, "max": 52.317, "mean": 9.63},
  "throughput_jobs_per_s": 43.39,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": true, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 40, "errors": {"SQLITE_BUSY": 120}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 2.094, "reserved": 13.793, "pending": 618.277, "exclusive": 147.973, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 120},
    {"id": 1, "role": "reader", "jobs_done": 0, "errors": {"SQLITE_BUSY": 71}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 443.212, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 71},
    {"id": 2, "role": "reader", "jobs_done": 0, "errors": {"SQLITE_BUSY": 61}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 442.399, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 0.0, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 61}
  ],
  "failure": null
}"#;

/// `--preset wal-readers`: the same in WAL.
pub(super) const WAL_READERS: &str = r#"{
  "scenario": {"name": "wal-readers", "journal_mode": "wal", "busy_timeout_ms": 0, "workers": 1, "readers": 2},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-trace (traced unix)",
  "journal_mode": "wal",
  "elapsed_ms": 152.855,
  "outcome": "completed",
  "jobs": {"seeded": 40, "done": 40, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 0, "stuck": 0},
  "transactions": {"committed": 87, "rolled_back": 0, "shared": 0},
  "errors": {},
  "busy_wait_ms": 0.0,
  "refused_locks": 69,
  "wal_bytes_max": 659232,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 40, "p50": 3.143, "p95": 4.727, "p99": 5.177, "max": 5.177, "mean": 3.385},
  "write_lock_hold_ms": {"count": 81, "p50": 0.629, "p95": 0.853, "p99": 1.851, "max": 1.851, "mean": 0.632},
  "throughput_jobs_per_s": 261.686,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": true, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 40, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 135.94, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 52.221, "wal_write": 51.179}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 67},
    {"id": 1, "role": "reader", "jobs_done": 0, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 151.874, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 121.093, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 1},
    {"id": 2, "role": "reader", "jobs_done": 0, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 151.505, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 120.821, "wal_write": 0.0}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 1}
  ],
  "failure": null
}"#;

/// `--preset worker-crash --vfs shared`.
pub(super) const WORKER_CRASH: &str = r#"{
  "scenario": {"name": "worker-crash", "journal_mode": "wal", "busy_timeout_ms": 5000, "workers": 3, "readers": 0},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-shared (memory)",
  "journal_mode": "wal",
  "elapsed_ms": 509.83,
  "outcome": "completed",
  "jobs": {"seeded": 30, "done": 30, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 1, "stuck": 0},
  "transactions": {"committed": 235, "rolled_back": 0, "shared": 0},
  "errors": {},
  "busy_wait_ms": 3.324,
  "refused_locks": 9,
  "wal_bytes_max": 1182472,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 30, "p50": 31.783, "p95": 40.754, "p99": 41.165, "max": 41.165, "mean": 32.942},
  "write_lock_hold_ms": {"count": 238, "p50": 0.051, "p95": 0.14, "p99": 0.227, "max": 0.272, "mean": 0.063},
  "throughput_jobs_per_s": 58.843,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": true, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 14, "errors": {}, "busy_wait_ms": 2.229, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 508.477, "reserved": 0.0, "pending": 0.005, "exclusive": 0.0, "wal_read": 8.438, "wal_write": 6.41}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 4},
    {"id": 1, "role": "writer", "jobs_done": 2, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 99.94, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 2.448, "wal_write": 1.928}, "lost_races": 0, "killed": true, "killed_at_ms": 100.759, "refused_locks": 1},
    {"id": 2, "role": "writer", "jobs_done": 14, "errors": {}, "busy_wait_ms": 1.095, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 458.868, "reserved": 0.0, "pending": 0.003, "exclusive": 0.0, "wal_read": 8.452, "wal_write": 6.56}, "lost_races": 0, "killed": false, "killed_at_ms": null, "refused_locks": 4}
  ],
  "failure": null
}"#;

/// `--preset power-cut --vfs shared` (synchronous FULL).
pub(super) const POWER_CUT_FULL: &str = r#"{
  "scenario": {"name": "power-cut", "journal_mode": "wal", "busy_timeout_ms": 5000, "workers": 4, "readers": 0},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-shared (memory)",
  "journal_mode": "wal",
  "elapsed_ms": 250.123,
  "outcome": "power_cut",
  "jobs": {"seeded": 150, "done": 100, "double_claimed": 0, "claimed_twice": 0, "lost": 0, "reclaimed": 0, "stuck": 4},
  "transactions": {"committed": 204, "rolled_back": 0, "shared": 0},
  "errors": {},
  "busy_wait_ms": 3.307,
  "refused_locks": 7,
  "wal_bytes_max": 1705712,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 100, "p50": 9.303, "p95": 15.205, "p99": 15.516, "max": 16.678, "mean": 9.617},
  "write_lock_hold_ms": {"count": 204, "p50": 0.053, "p95": 0.137, "p99": 0.175, "max": 0.272, "mean": 0.066},
  "throughput_jobs_per_s": 399.803,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": false, "no_double_claims": true, "no_lost_jobs": true, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 25, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 249.212, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 4.57, "wal_write": 3.921}, "lost_races": 0, "killed": true, "killed_at_ms": 250.123, "refused_locks": 0},
    {"id": 1, "role": "writer", "jobs_done": 25, "errors": {}, "busy_wait_ms": 2.223, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 249.45, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 4.879, "wal_write": 4.069}, "lost_races": 0, "killed": true, "killed_at_ms": 250.123, "refused_locks": 3},
    {"id": 2, "role": "writer", "jobs_done": 25, "errors": {}, "busy_wait_ms": 1.084, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 249.389, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 3.326, "wal_write": 2.746}, "lost_races": 0, "killed": true, "killed_at_ms": 250.123, "refused_locks": 4},
    {"id": 3, "role": "writer", "jobs_done": 25, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 247.988, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 3.287, "wal_write": 2.692}, "lost_races": 0, "killed": true, "killed_at_ms": 250.123, "refused_locks": 0}
  ],
  "failure": null,
  "power_cut": {"at_ms": 250.123, "writes_dropped": 0, "commits_lost": 0, "integrity_check": "ok"}
}"#;

/// the same with synchronous NORMAL.
pub(super) const POWER_CUT_NORMAL: &str = r#"{
  "scenario": {"name": "power-cut", "journal_mode": "wal", "busy_timeout_ms": 5000, "workers": 4, "readers": 0},
  "sqlite_version": "3.54.1",
  "vfs": "locklab-shared (memory)",
  "journal_mode": "wal",
  "elapsed_ms": 250.092,
  "outcome": "power_cut",
  "jobs": {"seeded": 150, "done": 0, "double_claimed": 0, "claimed_twice": 0, "lost": 101, "reclaimed": 0, "stuck": 0},
  "transactions": {"committed": 206, "rolled_back": 0, "shared": 0},
  "errors": {},
  "busy_wait_ms": 6.5,
  "refused_locks": 14,
  "wal_bytes_max": 1705712,
  "wal_checkpoints": 0,
  "wal_restarts": 0,
  "job_latency_ms": {"count": 101, "p50": 9.348, "p95": 15.264, "p99": 15.314, "max": 15.376, "mean": 9.663},
  "write_lock_hold_ms": {"count": 207, "p50": 0.049, "p95": 0.122, "p99": 0.195, "max": 0.268, "mean": 0.059},
  "throughput_jobs_per_s": 0.0,
  "integrity_check": "ok",
  "invariants": {"all_jobs_done": false, "no_double_claims": true, "no_lost_jobs": false, "integrity_ok": true, "journal_mode_as_asked": true, "checks_pass": true},
  "workers": [
    {"id": 0, "role": "writer", "jobs_done": 25, "errors": {}, "busy_wait_ms": 3.243, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 249.217, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 4.464, "wal_write": 3.101}, "lost_races": 0, "killed": true, "killed_at_ms": 250.092, "refused_locks": 5},
    {"id": 1, "role": "writer", "jobs_done": 26, "errors": {}, "busy_wait_ms": 3.257, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 249.149, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 3.756, "wal_write": 3.099}, "lost_races": 0, "killed": true, "killed_at_ms": 250.092, "refused_locks": 5},
    {"id": 2, "role": "writer", "jobs_done": 25, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 248.951, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 3.426, "wal_write": 2.841}, "lost_races": 0, "killed": true, "killed_at_ms": 250.092, "refused_locks": 2},
    {"id": 3, "role": "writer", "jobs_done": 25, "errors": {}, "busy_wait_ms": 0.0, "interpreter_wait_ms": 0.0, "lock_ms": {"shared": 249.065, "reserved": 0.0, "pending": 0.0, "exclusive": 0.0, "wal_read": 4.137, "wal_write": 3.168}, "lost_races": 0, "killed": true, "killed_at_ms": 250.092, "refused_locks": 2}
  ],
  "failure": null,
  "power_cut": {"at_ms": 250.092, "writes_dropped": 832, "commits_lost": 101, "integrity_check": "ok"}
}"#;
