// locklab's service worker: host the page anywhere, and keep it working offline.
//
// 1. Cross-origin isolation without the server's help. The page needs
//    SharedArrayBuffer, which a browser gives only to a page served with
//    Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
//    require-corp. A static host (GitHub Pages, `python3 -m http.server`) cannot
//    send them, so every answer of this origin passes through here and gets them.
//    The page registers this worker (index.html) and, the first time, reloads
//    once it is in control: from then on the page and its Web Workers are
//    isolated.
// 2. Offline. Every file of the app is kept in a cache as it is fetched, and the
//    page's files (those index.html names and the Web Worker's, whose names Trunk
//    does not hash) are fetched ahead when the worker installs and whenever the
//    page loads from the network. Files whose names carry Trunk's hash never
//    change, so they come from the cache; the others (index.html, the Web
//    Worker's files, this file) from the network while it answers within a few
//    seconds, else from the cache. Without a network the app loads and runs from
//    the cache alone.
//
// Requests to other origins are left to the browser: locklab makes none.

const CACHE = "locklab-app";
// Trunk names the page's own files `app-<hash in hex>.js`, `..._bg.wasm`,
// `style-<hash>.css`.
const HASHED = /-[0-9a-f]{8,}(_bg)?\.(js|wasm|css)$/;
// The Web Worker's files: Trunk does not hash them, and index.html does not name
// them (the app starts the worker by name).
const WORKER_FILES = ["worker_start.js", "worker.js", "worker_bg.wasm"];
// How long the network may take before the cached copy is used, when there is one.
const NETWORK_WAIT_MS = 3000;

const scope = () => self.registration.scope;
const index = () => new URL("./", scope()).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    fetch(index(), { cache: "no-cache" })
      .then((response) => keep(index(), response))
      .catch((e) => console.warn("locklab service worker: nothing fetched ahead:", e))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  // A request only the browser's HTTP cache may answer (DevTools makes these).
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") {
    return;
  }
  event.respondWith(answer(request, event));
});

/** The answer to `request`, isolated: from the cache or the network (above). */
async function answer(request, event) {
  const cache = await caches.open(CACHE);
  const navigation = request.mode === "navigate";
  const cached = () =>
    cache
      .match(request, { ignoreSearch: true })
      .then((hit) => hit ?? (navigation ? cache.match(index()) : undefined));
  if (HASHED.test(new URL(request.url).pathname)) {
    const hit = await cached();
    if (hit) return isolated(hit);
  }
  const fromNetwork = fetch(request).then(async (response) => {
    if (response.ok && response.type === "basic") {
      const key = navigation ? index() : request.url;
      event.waitUntil(keep(key, response.clone(), navigation));
    }
    return response;
  });
  try {
    return isolated(await withinWait(fromNetwork, cached));
  } catch (offline) {
    const hit = await cached();
    if (hit) return isolated(hit);
    throw offline;
  }
}

/** The network's answer; past NETWORK_WAIT_MS, the cached copy if there is one. */
function withinWait(fromNetwork, cached) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(cached()), NETWORK_WAIT_MS);
  }).then((hit) => hit ?? fromNetwork);
  return Promise.race([fromNetwork, late]).finally(() => clearTimeout(timer));
}

/** Cache `response` under `key`; for the page itself, also fetch ahead every file
 *  it names and the Web Worker's, and forget hashed files it no longer names. */
async function keep(key, response, isPage = key === index()) {
  const cache = await caches.open(CACHE);
  if (!isPage) {
    await cache.put(key, response);
    return;
  }
  const html = await response.clone().text();
  await cache.put(key, response);
  const named = [...html.matchAll(/(?:href|src)="([^"]+)"/g), ...html.matchAll(/from '([^']+)'/g),
    ...html.matchAll(/module_or_path: '([^']+)'/g)]
    .map((m) => new URL(m[1], key))
    .filter((url) => url.origin === self.location.origin && url.protocol.startsWith("http"));
  const files = [...new Set([...named.map((u) => u.href), ...WORKER_FILES.map((f) => new URL(f, key).href)])];
  for (const old of await cache.keys()) {
    if (HASHED.test(new URL(old.url).pathname) && !files.includes(old.url)) {
      await cache.delete(old);
    }
  }
  await Promise.all(
    files.map(async (file) => {
      if (HASHED.test(new URL(file).pathname) && (await cache.match(file))) return;
      const fetched = await fetch(file, { cache: "no-cache" });
      if (fetched.ok) await cache.put(file, fetched);
    }),
  );
}

/** `response` with the headers that make the page cross-origin isolated. */
function isolated(response) {
  // An opaque answer cannot be rewritten; none of this origin's is opaque.
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Embedder-Policy", "require-corp");
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
