//! What a run's trace means, read from its events alone (so for both VFSes and
//! both hosts): which locks each worker held (`lock_holds`), who blocked whom
//! (`wait_for`), which jobs were claimed twice (`claims`), how the write lock changed hands (`handoff`), the metrics
//! (`metrics`, `percentiles`), and the run report with its invariants (`report`,
//! `outcome`).
//!
//! Architecture invariant: nothing here imports the engine, the VFS, a host or a
//! view; the engine and the hosts produce what is read here, the views read it.

pub mod claims;
pub mod handoff;
pub mod lock_holds;
pub mod metrics;
pub mod outcome;
pub mod percentiles;
pub mod report;
pub mod wait_for;
