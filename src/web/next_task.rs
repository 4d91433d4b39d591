//! Yield to the browser between steps of a long job: what follows runs in a task
//! of its own, after the input and the frames waiting for the main thread.
//!
//! The task is a message posted through a `MessageChannel` of the page's own. Not
//! a resolved promise: its continuation is a microtask of the same task, which no
//! frame can come between. Not a timer: in a tab in the background the browser
//! runs timers at most once a second (once a minute after five minutes), and a run
//! started there would take that long per step, although its workers go on at
//! full speed.

use js_sys::{Array, Function, Promise, Reflect};
use std::cell::RefCell;
use std::collections::VecDeque;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The channel's sending port (its receiving port resumes the waiting), made at
/// the first use and kept: a port nobody holds could be collected with a message
/// still on its way.
struct Channel {
    send: JsValue,
    post: Function,
    _receive: JsValue,
    _on_message: Closure<dyn FnMut()>,
}

thread_local! {
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
    /// Who waits for a message, in the order their messages were posted.
    static WAITING: RefCell<VecDeque<Function>> = const { RefCell::new(VecDeque::new()) };
}

/// Resume in a later task.
pub async fn next_task() {
    let later = Promise::new(&mut |resolve, _reject| {
        if post(resolve.clone()).is_err() {
            // No MessageChannel (no browser locklab runs in lacks it): resume at
            // once rather than never.
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(later).await;
}

/// Post one message; `then` is called when it arrives.
fn post(then: Function) -> Result<(), JsValue> {
    CHANNEL.with(|channel| {
        let mut channel = channel.borrow_mut();
        if channel.is_none() {
            *channel = Some(open()?);
        }
        let channel = channel.as_ref().expect("opened above");
        // The message arrives in a later task, so `then` may join the queue after
        // posting it (and does not, if posting failed).
        channel.post.call1(&channel.send, &JsValue::NULL)?;
        WAITING.with(|w| w.borrow_mut().push_back(then));
        Ok(())
    })
}

fn open() -> Result<Channel, JsValue> {
    let class: Function = Reflect::get(&js_sys::global(), &"MessageChannel".into())?.dyn_into()?;
    let channel = Reflect::construct(&class, &Array::new())?;
    let receive = Reflect::get(&channel, &"port1".into())?;
    let send = Reflect::get(&channel, &"port2".into())?;
    let on_message = Closure::<dyn FnMut()>::new(|| {
        if let Some(then) = WAITING.with(|w| w.borrow_mut().pop_front()) {
            let _ = then.call0(&JsValue::NULL);
        }
    });
    Reflect::set(&receive, &"onmessage".into(), on_message.as_ref())?;
    let post = Reflect::get(&send, &"postMessage".into())?.dyn_into()?;
    Ok(Channel {
        send,
        post,
        _receive: receive,
        _on_message: on_message,
    })
}
