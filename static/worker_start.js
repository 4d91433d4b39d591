// How each of locklab's Web Workers starts: the page compiles the worker's wasm
// once and sends the compiled module as its first message, so that no worker
// fetches and compiles it again, and code V8 optimises in one worker serves all.
// worker.js (wasm-bindgen's glue) defines `wasm_bindgen`; the worker's Rust then
// takes over the messages and says it is ready.
importScripts("./worker.js");
self.onmessage = (event) => {
  self.onmessage = null;
  if (!(event.data instanceof WebAssembly.Module)) {
    const message = "this worker expects the compiled worker wasm as its first message; reload the page";
    self.postMessage(JSON.stringify({ failed: { message } }));
    return;
  }
  wasm_bindgen({ module_or_path: event.data });
};
