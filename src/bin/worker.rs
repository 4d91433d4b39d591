//! The Web Worker binary (built by Trunk, started by the page); natively there is
//! nothing to run.

#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    locklab::web::worker::entry::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the locklab worker runs in a browser's Web Worker: see README.md");
    std::process::exit(2);
}
