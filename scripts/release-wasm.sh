# Sourced by the scripts that build the page as it ships (dist.sh, serve.sh,
# bench-size.sh, bench-browser.sh) and by install.sh, which installs the toolchain.
#
# The shipped wasm is built by a pinned nightly Rust that rebuilds the standard
# library with the page's own profile (-Z build-std) and makes a panic a trap at
# once (-C panic=immediate-abort): no panic message is formatted, so core's
# formatting and the panic machinery leave both files. Measured with
# ./scripts/dist.sh (gzip -9): app 491,130 -> 456,269 B, worker 373,475 ->
# 355,589 B; build-std alone, panics as before, gained 7.9 + 3.4 KB. The
# standard library's `optimize_for_size` feature (its smaller sorts and
# formatting, meant for such builds) then gained 4.2 + 3.2 KB more.
# What it costs: a panic in the shipped page is a bare "unreachable" trap, without
# its message (a worker's panic was one already: wasm32-unknown-unknown has no
# stderr). Every other build (cargo test, the wasm tests, `trunk serve` without
# --release) uses the stable toolchain and keeps panic messages; the end-to-end
# tests run the shipped build.
RELEASE_TOOLCHAIN=nightly-2026-05-20

# release_wasm COMMAND...: run COMMAND (trunk) with the shipped build's toolchain.
release_wasm() {
  RUSTUP_TOOLCHAIN=$RELEASE_TOOLCHAIN \
    CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
    CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" \
    "$@"
}
