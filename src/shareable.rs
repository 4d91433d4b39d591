//! What a run's workers may share, per host. Natively each worker is a thread, so
//! what they share (shared words, storage, the clock) must be `Send + Sync`. In
//! the browser each worker is a wasm instance of its own with one thread
//! (locklab's wasm is built without the `atomics` target feature): nothing ever
//! crosses a thread there, and JavaScript handles, which are neither, may be held
//! as they are. This is the one place that says so, instead of an `unsafe impl
//! Send` on every type that wraps a JavaScript handle.

/// `Send + Sync` natively; anything in a single-threaded wasm instance.
#[cfg(not(target_arch = "wasm32"))]
pub trait Shareable: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync + ?Sized> Shareable for T {}

/// `Send + Sync` natively; anything in a single-threaded wasm instance.
#[cfg(target_arch = "wasm32")]
pub trait Shareable {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> Shareable for T {}

/// `Send` natively; anything in a single-threaded wasm instance.
#[cfg(not(target_arch = "wasm32"))]
pub trait Movable: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> Movable for T {}

/// `Send` natively; anything in a single-threaded wasm instance.
#[cfg(target_arch = "wasm32")]
pub trait Movable {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> Movable for T {}
