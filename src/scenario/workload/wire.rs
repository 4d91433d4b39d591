//! A checked workload as bytes (`crate::wire`), inside the scenario the page's
//! messages carry to its workers.

use super::{CheckSpec, Expect, Fill, IfNone, Item, RoleSpec, StatementSpec, StepSpec, Workload};
use crate::wire::{wire_enum, wire_struct, Reader, Wire, Writer};

wire_struct!(Workload {
    schema,
    data,
    pragmas,
    roles,
    checks
});
wire_struct!(Fill { sql, repeat });
wire_struct!(RoleSpec {
    name,
    count,
    repeat,
    while_others_run,
    steps
});
wire_struct!(StepSpec { name, begin, body });
wire_struct!(StatementSpec {
    sql,
    into,
    if_none,
    expect_changes
});
wire_enum!(IfNone {
    EndRole {},
    Retry {},
    Skip {}
});
wire_struct!(CheckSpec {
    name,
    sql,
    expect,
    expected
});

impl Wire for Item {
    fn put(&self, w: &mut Writer) {
        match self {
            Item::Sql(statement) => {
                w.byte(0);
                statement.put(w);
            }
            Item::SleepMs(ms) => {
                w.byte(1);
                ms.put(w);
            }
        }
    }
    fn take(r: &mut Reader) -> Self {
        match r.pick(&[true, false], "step item") {
            true => Item::Sql(StatementSpec::take(r)),
            false => Item::SleepMs(Wire::take(r)),
        }
    }
}

impl Wire for Expect {
    fn put(&self, w: &mut Writer) {
        match self {
            Expect::Equals(value) => {
                w.byte(0);
                value.put(w);
            }
            Expect::AtLeast(n) => {
                w.byte(1);
                n.put(w);
            }
            Expect::AtMost(n) => {
                w.byte(2);
                n.put(w);
            }
        }
    }
    fn take(r: &mut Reader) -> Self {
        match r.pick(&[0, 1, 2], "expectation") {
            1 => Expect::AtLeast(Wire::take(r)),
            2 => Expect::AtMost(Wire::take(r)),
            _ => Expect::Equals(Wire::take(r)),
        }
    }
}
