//! The browser page (built by Trunk); natively there is nothing to run.

#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
fn main() {
    locklab::web::page::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the locklab page runs in a browser: see README.md (scripts/serve.sh)");
    std::process::exit(2);
}
