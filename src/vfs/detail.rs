//! The VFS's own words about its last failure, kept per thread.
//!
//! A C callback can hand SQLite only a result code, so SQLite's message for a
//! storage failure is "disk I/O error" whatever the storage said. The callback
//! notes what went wrong here, on the thread of the connection that met it (one
//! worker per thread natively, one per wasm instance in the browser), and the
//! engine puts it beside SQLite's message when the statement fails. It must never
//! be read for a statement other than the one that met the failure: the engine
//! clears it before each statement.

use std::cell::RefCell;

thread_local! {
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remember why the VFS just failed ("storage: OPFS write: QuotaExceededError").
pub fn note_error_detail(detail: String) {
    LAST.with(|l| *l.borrow_mut() = Some(detail));
}

/// What the VFS said of its last failure on this thread, if anything, and forget it.
pub fn take_error_detail() -> Option<String> {
    LAST.with(|l| l.borrow_mut().take())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detail_is_read_once_and_only_on_its_thread() {
        note_error_detail("storage: full".into());
        std::thread::spawn(|| assert_eq!(take_error_detail(), None))
            .join()
            .unwrap();
        assert_eq!(take_error_detail().as_deref(), Some("storage: full"));
        assert_eq!(take_error_detail(), None);
    }
}
