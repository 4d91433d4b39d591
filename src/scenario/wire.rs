//! A checked scenario as bytes (`crate::wire`), as the page's messages carry it
//! to its workers: every field as the page checked it, read back whole and not
//! checked again (a `Scenario` is valid by construction, and both sides are one
//! build).

use super::{
    BeginMode, BusyHandler, ClaimSelect, Fault, Faults, Holding, JournalMode, LockingMode,
    PowerCut, Scenario, Synchronous, TransactionStyle, Word, WorkMs,
};
use crate::wire::{wire_struct, Reader, Wire, Writer};

/// A choice's place among its values ([`Word::ALL`]).
fn code<T: Word + PartialEq>(value: T) -> u8 {
    T::ALL.iter().position(|v| *v == value).unwrap_or(0) as u8
}

/// `Wire` for a choice: its place among its values.
macro_rules! wire_word {
    ($($t:ident),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                w.byte(code(*self));
            }
            fn take(r: &mut Reader) -> Self {
                r.pick(<$t as Word>::ALL, stringify!($t))
            }
        }
    )*};
}

wire_word!(
    TransactionStyle,
    BeginMode,
    JournalMode,
    Synchronous,
    LockingMode,
    ClaimSelect,
    BusyHandler
);

impl Wire for Holding {
    fn put(&self, w: &mut Writer) {
        w.byte(Holding::ALL.iter().position(|h| h == self).unwrap_or(0) as u8);
    }
    fn take(r: &mut Reader) -> Self {
        r.pick(&Holding::ALL, "Holding")
    }
}

wire_struct!(WorkMs { min, max });
wire_struct!(Fault {
    kill,
    at_ms,
    holding
});
wire_struct!(PowerCut { at_ms });
wire_struct!(Faults { kills, power_cut });
wire_struct!(Scenario {
    name,
    workers,
    readers,
    jobs,
    transaction,
    begin,
    journal_mode,
    synchronous,
    busy_timeout_ms,
    work_ms,
    heartbeat_ms,
    claim_index,
    result_batch,
    separate_results_db,
    reader_hold_ms,
    retry_delay_ms,
    time_limit_ms,
    seed,
    drop_table_while_reading,
    locking,
    stale_after_ms,
    cache_pages,
    claim_select,
    claim_cas,
    processes,
    busy_handler,
    shm,
    tasks_per_connection,
    serialize_tasks,
    archive_every,
    faults,
    workload,
});
