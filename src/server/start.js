// The page's start script (`server::document::start_script`), inlined in
// every page with its nonce, then called as `start({ js, wasm, sentences
// })`: the addresses of wasm-bindgen's module, of the main Wasm and of the
// sentences of the page's language (`server::sentences`).
//
// 1. Once the page's largest paint is on screen (`afterLargestPaint`, or
//    at once in a tab that is not shown), it puts the `<template
//    data-preloads>` into the head, fetches the pack its `data-pack` names
//    (`server::packs`: the Wasm chunks this page needs, in one response)
//    and the sentences, imports `js`, loads the Wasm and hydrates, handing
//    the app its sentences. Nothing the first paint needs waits for it:
//    the page, drawn by the server, works before as without JavaScript,
//    and stays so if the sentences cannot be had.
// 2. Once hydrated and the browser is idle, it fetches the pack of
//    `<template data-prefetch>`: the chunks of the pages this page's links
//    lead to, and once it is here has the app load them
//    (`preload_linked_routes`), so that a click shows the next page without
//    the network, and without waiting for its chunks to be instantiated.
// 3. The chunk loader of cargo-leptos's `--split` (`__wasm_split.*.js`)
//    fetches each chunk by its address and instantiates it. Its fetch of a
//    chunk a pack holds (the template's `data-chunks` names them, without
//    the hashes, which would not compress) waits for that pack and is
//    answered from it, with the module compiled as the pack arrived, and
//    the pack lets go of it; any other fetch goes to the network at once,
//    as does a chunk whose pack failed or did not compile.
function start(bundle) {
  "use strict";
  const here = (address, base) => new URL(address, base || location.href).href;
  const mainWasm = here(bundle.wasm);
  // A chunk's address without its hash: its folder and its name up to the
  // first dot (`…/pkg/chunk_7` for `…/pkg/chunk_7.<hash>.wasm`), as a
  // template names it; "" for what is not a Wasm file.
  const unhashed = (address) => {
    if (!address.endsWith(".wasm")) return "";
    const name = address.lastIndexOf("/") + 1;
    return address.slice(0, address.indexOf(".", name));
  };
  // A chunk's unhashed address → the promise of its pack: a Map from a
  // chunk's address to { bytes, module }, empty if the pack failed. A
  // chunk of another build under the same name is not in it, and goes to
  // the network.
  const packed = new Map();
  // A Response made from a pack → { address, module: promise of a module }.
  const madeFromPack = new WeakMap();

  function unpack(buffer) {
    const view = new DataView(buffer);
    const names = new TextDecoder();
    const files = new Map();
    let at = 0;
    const part = () => {
      const length = view.getUint32(at, true);
      const bytes = new Uint8Array(buffer, at + 4, length);
      at += 4 + length;
      return bytes;
    };
    while (at < buffer.byteLength) {
      const name = names.decode(part());
      const bytes = part();
      const module = WebAssembly.compile(bytes).catch(() => null);
      files.set(here(name), { bytes, module });
    }
    return files;
  }

  function pack(template, priority) {
    const address = here(template.dataset.pack);
    const files = fetchFromNetwork(address, { priority })
      .then((response) => {
        if (!response.ok) throw new Error(`pack: ${response.status}`);
        return response.arrayBuffer();
      })
      .then(unpack)
      .catch(() => new Map());
    // The chunks sit one folder above their pack: one address parsed, not
    // one per chunk (forty on a page, a few milliseconds on a phone).
    const folder = here("../", address);
    for (const chunk of (template.dataset.chunks || "").split(" ")) {
      if (chunk) packed.set(folder + chunk, files);
    }
    return files;
  }

  const fetchFromNetwork = window.fetch.bind(window);
  window.fetch = function (input, init) {
    let address = "";
    try {
      if (typeof input === "string" || input instanceof URL) address = here(input);
    } catch (_) {
      // Not an address: the network's fetch says so.
    }
    const chunk = address !== mainWasm && unhashed(address);
    const files = chunk && packed.get(chunk);
    if (!files) return fetchFromNetwork(input, init);
    return files.then((files) => {
      const file = files.get(address);
      if (!file) return fetchFromNetwork(input, init);
      files.delete(address);
      packed.delete(chunk);
      const response = new Response(file.bytes, {
        headers: { "Content-Type": "application/wasm" },
      });
      madeFromPack.set(response, { address, module: file.module });
      return response;
    });
  };

  // A chunk from a pack is instantiated in a task of its own: its page is
  // hydrated (or drawn) in that task, not in the one that asked for it (the
  // rest of the page's hydration), and the browser may answer the person in
  // between. Total Blocking Time counts what each task runs past 50 ms.
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = async function (source, imports) {
    const response = await source;
    const fromPack = madeFromPack.get(response);
    if (!fromPack) return instantiateStreaming.call(WebAssembly, response, imports);
    await nextTask();
    const module = await fromPack.module;
    if (!module) {
      return instantiateStreaming.call(WebAssembly, fetchFromNetwork(fromPack.address), imports);
    }
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };

  // Returns the promises of the packs it fetches.
  function adopt(kind) {
    const packs = [];
    for (const template of document.querySelectorAll(`template[data-${kind}]`)) {
      document.head.appendChild(template.content.cloneNode(true));
      if (template.dataset.pack) packs.push(pack(template, kind === "prefetch" ? "low" : "high"));
    }
    return packs;
  }

  // Instantiating the main module and hydrating are two tasks, not one:
  // the browser may answer the person in between, and neither is as long
  // as both (Total Blocking Time counts what a task runs past 50 ms).
  function begin() {
    adopt("preloads");
    const sentences = fetchFromNetwork(bundle.sentences, { priority: "high" }).then((response) => {
      if (!response.ok) throw new Error(`sentences: ${response.status}`);
      return response.text();
    });
    // Its failure is reported below, once the Wasm is loaded (or not):
    // not as a rejection left unhandled meanwhile.
    sentences.catch(() => {});
    import(bundle.js)
      .then((glue) => glue.default({ module_or_path: bundle.wasm }).then(() => glue))
      .then((glue) => sentences.then((text) => ({ glue, text })))
      .then(({ glue, text }) =>
        setTimeout(() => {
          try {
            glue.hydrate(text);
          } catch (error) {
            console.error("Sésame could not start its script:", error);
            return;
          }
          const idle = window.requestIdleCallback || ((then) => setTimeout(then, 1000));
          // The linked pages' code is loaded once their pack is here, whole
          // (every chunk compiled), and only for the page it was made for:
          // a chunk that fails to load stops the Wasm, which is the click's
          // business, not idleness's. Otherwise each chunk waits for a click.
          const first = location.pathname;
          idle(() =>
            Promise.all(adopt("prefetch")).then(async (packs) => {
              const files = packs.flatMap((pack) => [...pack.values()]);
              const compiled = await Promise.all(files.map((file) => file.module));
              if (files.length > 0 && compiled.every(Boolean) && location.pathname === first) {
                glue.preload_linked_routes();
              }
            }),
          );
        }, 0),
      )
      .catch((error) => console.error("Sésame could not start its script:", error));
  }

  // Begins once the page's largest paint is on screen: the browser's first
  // `largest-contentful-paint` entry (every page is drawn by the server, and
  // its largest element is text, there at the first paint: `<p
  // class="lead">` on the forgotten password page), or a frame and a task
  // later where the browser reports none. A frame and a task alone can end
  // before the painted frame is shown; the Wasm then shares the network
  // with the paint, and Lighthouse's simulated LCP on slow 4G counts it
  // (3.0 s instead of 0.75 s on `/` in one run of three; BENCHMARKS.md,
  // part 15, eighth pass). At most a second after this script runs, it
  // begins all the same (a tab hidden meanwhile paints no frame). In a tab
  // that is not shown nothing is painted: it begins at once.
  function afterLargestPaint(then) {
    let begun = false;
    const once = () => {
      if (!begun) {
        begun = true;
        setTimeout(then, 0);
      }
    };
    setTimeout(once, 1000);
    const types = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
    if (!types.includes("largest-contentful-paint")) {
      requestAnimationFrame(once);
      return;
    }
    new PerformanceObserver((_, observer) => {
      observer.disconnect();
      once();
    }).observe({ type: "largest-contentful-paint", buffered: true });
  }

  if (document.visibilityState === "visible") {
    afterLargestPaint(begin);
  } else {
    begin();
  }
}
