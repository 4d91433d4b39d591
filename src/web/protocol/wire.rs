//! The protocol's messages as bytes (`crate::wire`): each message is its
//! variant's number and its fields in the order listed here.

use super::{Exit, FromWorker, StorageKind, ToWorker};
use crate::web::error::{WebError, WebErrorKind};
use crate::wire::{wire_enum, wire_struct};

wire_enum!(StorageKind {
    Opfs {},
    Memory {}
});
wire_enum!(Exit {
    Completed {},
    TimeLimit {},
    Stopped {},
    Killed {},
    Failed {}
});
wire_enum!(WebErrorKind {
    Refused {},
    Browser {},
    Worker {},
    Database {},
    NoRun {}
});
wire_struct!(WebError { kind, message });

wire_enum!(ToWorker {
    RunAlone { scenario },
    Setup {
        run,
        scenario,
        storage
    },
    Attach {
        run,
        worker,
        scenario,
        storage
    },
    Run {
        run,
        worker,
        role,
        scenario,
        epoch_ms
    },
    PowerRestore { run, scenario },
    Audit {
        scenario,
        committed
    },
    Inspect {
        run,
        scenario,
        storage
    },
    Snapshot {
        run,
        scenario,
        storage
    },
    Console {
        run,
        worker,
        scenario,
        storage,
        epoch_ms
    },
    Sql { text },
    EndConsole {},
});

wire_enum!(FromWorker {
    Ready { protocol },
    Alone {
        sqlite_version,
        journal_mode,
        elapsed_us,
        exit,
        failure,
        audit,
        integrity_check,
        events
    },
    SetupDone { sqlite_version },
    Attached {},
    Events { events },
    Finished {
        journal_mode,
        exit,
        failure,
        ended_us,
        events
    },
    Audited {
        audit,
        integrity_check
    },
    PowerRestored { writes_dropped },
    Inspected {
        jobs,
        done,
        integrity_check
    },
    Snapshot {
        jobs,
        done,
        journal_mode,
        file
    },
    Failed { error },
    ConsoleReady {},
    SqlAnswer { answer },
    ConsoleEnded { rolled_back },
});
