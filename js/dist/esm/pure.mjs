var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// src/errors.ts
function isErrorCode(s) {
  return typeof s === "string" && codeShape.test(s);
}
function toSealpayError(e, fallback = "internal") {
  if (e instanceof SealpayError) return e;
  if (e && typeof e === "object") {
    const o = e;
    const code = isErrorCode(o.code) ? o.code : fallback;
    const message = typeof o.message === "string" ? o.message : "Sealpay: unexpected error";
    return new SealpayError(code, message, { cause: e });
  }
  return new SealpayError(fallback, "Sealpay: unexpected error", { cause: e });
}
var SealpayError, SealpayUsageError, codeShape;
var init_errors = __esm({
  "src/errors.ts"() {
    "use strict";
    SealpayError = class extends Error {
      code;
      constructor(code, message, options) {
        super(message, options);
        this.name = "SealpayError";
        this.code = code;
      }
    };
    SealpayUsageError = class extends Error {
      constructor(message) {
        super(message);
        this.name = "SealpayUsageError";
      }
    };
    codeShape = /^[a-z][a-z_]{1,39}$/;
  }
});

// src/pins.ts
function modulePins() {
  try {
    const pins = JSON.parse(true ? "@@sealpay:module-pins@@" : "");
    if (pins && typeof pins === "object") return pins;
  } catch {
  }
  throw noPins("module hashes");
}
function assetURL(base2, file, integrity) {
  const digest = integrity.slice(integrity.indexOf("-") + 1).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${base2}/v1/c/${digest}/${file}`;
}
var noPins;
var init_pins = __esm({
  "src/pins.ts"() {
    "use strict";
    init_errors();
    noPins = (what) => new SealpayError("internal", `Sealpay: this build of the script has no ${what} (see docs/browser.md)`);
  }
});

// src/version.ts
var VERSION;
var init_version = __esm({
  "src/version.ts"() {
    "use strict";
    VERSION = true ? "0.1.0" : "0.0.0-dev";
  }
});

// src/direct.ts
var direct_exports = {};
__export(direct_exports, {
  CARD: () => CARD,
  QR: () => QR,
  callCore: () => callCore,
  loadModule: () => loadModule,
  seal: () => seal
});
function loadModule(base2, spec, pins) {
  let p = pending.get(spec.file);
  if (!p) {
    p = start(base2, spec, pins).catch((e) => {
      pending.delete(spec.file);
      throw e;
    });
    pending.set(spec.file, p);
  }
  return p;
}
async function start(base2, spec, pins) {
  const g = globalThis;
  const pinned = (f) => {
    const h = pins[f];
    if (typeof h !== "string" || !h.startsWith("sha384-")) throw noPins(`hash for ${f}`);
    return h;
  };
  const execPin = pinned("wasm_exec.js");
  const modulePin = pinned(spec.file);
  if (typeof WebAssembly !== "object") {
    throw new SealpayError("internal", "Sealpay: this browser has no WebAssembly");
  }
  const Go = await loadGo(base2, execPin);
  const go = new Go();
  let instance;
  try {
    instance = await instantiate(assetURL(base2, spec.file, modulePin), modulePin, go.importObject);
  } catch (cause) {
    const hint = cause instanceof WebAssembly.CompileError ? ": the browser refused to compile it; if this page's Content-Security-Policy has no 'wasm-unsafe-eval' in script-src, add it there or use the hosted card fields (cardElement), which need none" : "";
    throw new SealpayError("upstream_error", `Failed to load ${spec.file}${hint}`, { cause });
  }
  const core = await new Promise((resolve, reject) => {
    g[spec.ready] = resolve;
    go.run(instance).then(
      () => reject(new SealpayError("internal", `${spec.file} exited`)),
      (cause) => reject(new SealpayError("internal", `${spec.file} crashed`, { cause }))
    );
  });
  delete g[spec.ready];
  if (core.version !== VERSION) {
    console.warn(`Sealpay: ${spec.file} is version ${core.version}, this script is ${VERSION}; update the edge or the package`);
  }
  return core;
}
function loadGo(base2, integrity) {
  if (!goClass) {
    const g = globalThis;
    goClass = loadScript(assetURL(base2, "wasm_exec.js", integrity), integrity).then(() => {
      if (typeof g.Go !== "function") throw new SealpayError("internal", "Failed to load wasm_exec.js: it defined no Go class");
      return g.Go;
    }).catch((e) => {
      goClass = null;
      throw e;
    });
  }
  return goClass;
}
async function instantiate(url, integrity, imports) {
  const res = await fetch(url, { credentials: "same-origin", integrity });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  if (typeof WebAssembly.instantiateStreaming === "function" && res.headers.get("content-type") === "application/wasm") {
    return (await WebAssembly.instantiateStreaming(res, imports)).instance;
  }
  return (await WebAssembly.instantiate(await res.arrayBuffer(), imports)).instance;
}
function loadScript(src, integrity) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.integrity = integrity;
    s.async = true;
    s.crossOrigin = "anonymous";
    s.onload = () => resolve();
    s.onerror = () => reject(new SealpayError("upstream_error", "Failed to load wasm_exec.js"));
    document.head.appendChild(s);
  });
}
async function callCore(core, method, req) {
  try {
    const f = core[method];
    if (typeof f !== "function") throw new SealpayError("internal", `Sealpay: the module has no ${method}`);
    return JSON.parse(await f.call(core, JSON.stringify(req)));
  } catch (e) {
    throw toSealpayError(e);
  }
}
async function seal(edge, req) {
  const core = await loadModule(edge, CARD, modulePins());
  return (await callCore(core, "seal", req)).envelope;
}
var CARD, QR, pending, goClass;
var init_direct = __esm({
  "src/direct.ts"() {
    "use strict";
    init_errors();
    init_pins();
    init_version();
    CARD = { file: "sealpay.wasm", ready: "__sealpay_card_ready" };
    QR = { file: "sealpay-qr.wasm", ready: "__sealpay_qr_ready" };
    pending = /* @__PURE__ */ new Map();
    goClass = null;
  }
});

// src/element.ts
init_errors();

// src/protocol.ts
var PROTOCOL = 1;
function frameURL(edge, p) {
  const q = new URLSearchParams({ origin: p.origin, key: p.key, channel: p.channel, mode: p.mode, locale: p.locale });
  if (p.merchant) q.set("merchant", p.merchant);
  if (p.style) q.set("style", p.style);
  if (p.hideName) q.set("hide_name", "1");
  return `${edge}/v1/frame.html?${q.toString()}`;
}
function isOrigin(s) {
  let u;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  if (u.origin !== s) return false;
  if (u.protocol === "https:") return true;
  return u.protocol === "http:" && isLoopback(u.hostname);
}
function isLoopback(host) {
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
function isMessage(data, channel) {
  if (!data || typeof data !== "object") return false;
  const d = data;
  return d.sealpay === PROTOCOL && d.channel === channel;
}
function newChannel() {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// src/extra.ts
var extra_exports = {};
__export(extra_exports, {
  pickWalletToken: () => pickWalletToken,
  scanQR: () => scanQR,
  tokenizeWallet: () => tokenizeWallet,
  verifyQR: () => verifyQR,
  walletEvent: () => walletEvent,
  walletUpdate: () => walletUpdate
});
var info = (e) => ({ code: e.code, message: e.message });
function pickWalletToken(lib2, r) {
  const o = r ?? {};
  const t = lib2.pickToken(r);
  if (o.wallet !== "google_pay" && o.wallet !== "apple_pay" || o.auth_method !== "PAN_ONLY" && o.auth_method !== "CRYPTOGRAM_3DS") {
    throw new lib2.SealpayError("upstream_error", "Sealpay: the edge's answer names no wallet");
  }
  return { ...t, wallet: o.wallet, auth_method: o.auth_method };
}
var command = (w) => w.save ? { type: "wallet", googlePay: w.googlePay, save: w.save } : { type: "wallet", googlePay: w.googlePay };
function walletEvent(lib2, w, e) {
  switch (e.type) {
    case "ready":
      w.frame.send(command(w)).then(
        (r) => w.emit("ready", { wallets: Array.isArray(r?.wallets) ? r.wallets.filter((x) => x === "google_pay") : [] }),
        (err) => w.emit("error", info(lib2.toSealpayError(err)))
      );
      break;
    case "token": {
      try {
        w.emit("token", pickWalletToken(lib2, e.value));
      } catch (err) {
        w.emit("error", info(lib2.toSealpayError(err)));
      }
      break;
    }
    case "cancel":
      w.emit("cancel", {});
      break;
    case "error":
      w.emit("error", e.error);
      break;
  }
}
async function walletUpdate(lib2, w, options) {
  w.alive("update");
  if (!options || typeof options !== "object" || options.googlePay === void 0 && options.save === void 0) {
    throw new lib2.SealpayUsageError("update(options): pass { googlePay: { transactionInfo } } or { save }");
  }
  if (options.save !== void 0 && typeof options.save !== "boolean") throw new lib2.SealpayUsageError("update({ save }): save must be true or false");
  if (options.googlePay !== void 0) {
    const t = options.googlePay?.transactionInfo;
    if (!t || typeof t !== "object") throw new lib2.SealpayUsageError("update({ googlePay: { transactionInfo } }): transactionInfo must be an object");
    w.googlePay = { ...w.googlePay, transactionInfo: t };
  }
  if (options.save !== void 0) w.save = options.save;
  if (w.mounted()) await w.frame.send(command(w));
}
async function tokenizeWallet(lib2, edge, key, input) {
  const w = input?.wallet;
  const data = input?.paymentData;
  if ((w !== "apple_pay" || !data || typeof data !== "object") && (w !== "google_pay" || typeof data !== "string")) {
    throw new lib2.SealpayUsageError('tokenizeWallet: pass { wallet: "apple_pay", paymentData: event.payment.token.paymentData }');
  }
  let res;
  try {
    res = await fetch(`${edge}/v1/tokens`, {
      method: "POST",
      credentials: "omit",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ wallet: w, payment_data: data })
    });
  } catch (cause) {
    throw new lib2.SealpayError("upstream_error", `Sealpay: tokenizeWallet failed to reach ${edge}`, { cause });
  }
  if (res.status !== 201) throw await lib2.httpError(res, "Sealpay: tokenizeWallet failed");
  return pickWalletToken(lib2, await res.json().catch(() => null));
}
async function scanQR(lib2, edge, source, opts = {}) {
  if (!source || typeof source !== "object") {
    throw new lib2.SealpayUsageError("scanQR: pass a <video>, <img>, <canvas>, ImageBitmap or ImageData");
  }
  const g = globalThis;
  if (!opts.decoder && g.BarcodeDetector && !isImageData(source)) {
    const formats = await g.BarcodeDetector.getSupportedFormats?.() ?? ["qr_code"];
    if (formats.includes("qr_code")) {
      const found = await new g.BarcodeDetector({ formats: ["qr_code"] }).detect(source);
      return found[0]?.rawValue ?? null;
    }
  }
  const decode = opts.decoder ?? await lib2.loadDecoder(edge);
  const img = pixels(lib2, source);
  return decode(img.data, img.width, img.height);
}
function isImageData(s) {
  return typeof ImageData === "function" && s instanceof ImageData;
}
function pixels(lib2, source) {
  if (isImageData(source)) return source;
  const s = source;
  const width = s.videoWidth || s.naturalWidth || s.width;
  const height = s.videoHeight || s.naturalHeight || s.height;
  if (!width || !height) throw new lib2.SealpayError("qr_malformed", "scanQR: the source has no pixels yet (is the video playing, the image loaded?)");
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new lib2.SealpayError("internal", "scanQR: no 2D canvas");
  ctx.drawImage(source, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}
async function verifyQR(lib2, cfg, st, payload, options = {}) {
  if (typeof payload !== "string") throw new lib2.SealpayUsageError("verifyQR(payload): payload must be the QR code's text");
  if (options.lang !== void 0 && !lib2.isLocale(options.lang)) {
    throw new lib2.SealpayUsageError(`verifyQR: unsupported lang ${JSON.stringify(options.lang)}; use one of ${lib2.LOCALES.join(", ")}`);
  }
  let core = st.core;
  if (!core) {
    core = new lib2.Frame(cfg, "core", {}, () => void 0);
    const f = core.iframe;
    f.style.cssText = "border:0;width:0;height:0;position:absolute;left:-9999px;visibility:hidden";
    f.setAttribute("aria-hidden", "true");
    f.tabIndex = -1;
    f.title = "Sealpay";
    core.listen();
    document.body.appendChild(core.iframe);
    st.core = core;
  }
  try {
    return await core.send({ type: "verifyQR", payload, expect: options.expect, lang: options.lang ?? cfg.locale });
  } catch (e) {
    if (e instanceof lib2.SealpayError && e.message.includes("did not answer")) {
      core.close("Sealpay: the QR frame was reset");
      if (st.core === core) st.core = void 0;
    }
    throw e;
  }
}

// src/lazy.ts
function loadExtra(_edge) {
  return extra_exports;
}
async function loadDirect(_edge) {
  return Promise.resolve().then(() => (init_direct(), direct_exports));
}
async function loadDecoder(_edge) {
  const jsQR = (await import("jsqr")).default;
  return (data, width, height) => jsQR(data, width, height, { inversionAttempts: "attemptBoth" })?.data ?? null;
}

// src/token.ts
init_errors();
function pickToken(r) {
  const o = r ?? {};
  const c = o.card ?? {};
  if (typeof o.token !== "string" || !/^tok_[A-Za-z0-9]{22}$/.test(o.token)) {
    throw new SealpayError("upstream_error", "Sealpay: the edge sent no token");
  }
  return {
    token: o.token,
    card: {
      brand: c.brand,
      last4: String(c.last4 ?? ""),
      exp_month: Number(c.exp_month),
      exp_year: Number(c.exp_year),
      fingerprint: String(c.fingerprint ?? "")
    }
  };
}

// src/element.ts
var cardHeight = { withName: 248, withoutName: 164 };
var commandTimeout = 6e4;
var Frame = class {
  constructor(cfg, mode, extra, onEvent_) {
    this.onEvent_ = onEvent_;
    this.edgeOrigin_ = new URL(cfg.edge).origin;
    this.iframe = document.createElement("iframe");
    this.iframe.src = frameURL(cfg.edge, {
      origin: window.location.origin,
      key: cfg.key,
      channel: this.channel,
      mode,
      locale: extra.locale ?? cfg.locale,
      merchant: cfg.merchant,
      style: extra.style,
      hideName: extra.hideName
    });
    this.iframe.setAttribute("frameborder", "0");
    this.iframe.setAttribute("scrolling", "no");
    this.iframe.setAttribute("allowtransparency", "true");
    this.iframe.style.cssText = `border:0;width:100%;min-width:200px;height:${extra.height ?? (extra.hideName ? cardHeight.withoutName : cardHeight.withName)}px;display:block;overflow:hidden;background:transparent`;
    if (mode === "wallet") this.iframe.allow = "payment";
    this.iframe.title = mode === "card" ? "Secure card payment input" : "Pay with a wallet";
    this.readyPromise_ = new Promise((r) => this.resolveReady_ = r);
  }
  onEvent_;
  channel = newChannel();
  iframe;
  edgeOrigin_;
  nextID_ = 1;
  waiting_ = /* @__PURE__ */ new Map();
  readyPromise_;
  resolveReady_;
  listening_ = false;
  /** listen starts accepting messages from the frame. */
  listen() {
    if (this.listening_) return;
    this.listening_ = true;
    window.addEventListener("message", this.handle_);
  }
  /** close stops listening and fails every pending command. */
  close(reason) {
    window.removeEventListener("message", this.handle_);
    this.listening_ = false;
    for (const [id, w] of this.waiting_) {
      clearTimeout(w.timer);
      w.reject(new SealpayError("internal", reason));
      this.waiting_.delete(id);
    }
    this.iframe.remove();
    this.readyPromise_ = new Promise((r) => this.resolveReady_ = r);
  }
  /** ready resolves when the frame shows its fields (its module may still be loading). */
  ready() {
    return this.readyPromise_;
  }
  /**
   * send posts a command once the frame is ready and resolves with its
   * result. The timeout covers the wait for readiness too: a frame whose
   * script never runs (blocked, or refused by its integrity hash) must not
   * leave the caller waiting forever.
   */
  send(command2) {
    const id = this.nextID_++;
    let ready = false;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting_.delete(id);
        reject(new SealpayError("upstream_error", `Sealpay: the frame did not answer in time${ready ? "" : " (it never became ready)"}`));
      }, commandTimeout);
      this.waiting_.set(id, { resolve, reject, timer });
      void this.readyPromise_.then(() => {
        ready = true;
        if (!this.waiting_.has(id)) return;
        const win = this.iframe.contentWindow;
        if (!win) {
          this.waiting_.delete(id);
          clearTimeout(timer);
          reject(new SealpayError("internal", "Sealpay: the frame is not mounted"));
          return;
        }
        win.postMessage({ sealpay: PROTOCOL, channel: this.channel, id, command: command2 }, this.edgeOrigin_);
      });
    });
  }
  handle_ = (ev) => {
    if (ev.origin !== this.edgeOrigin_ || ev.source !== this.iframe.contentWindow) return;
    if (!isMessage(ev.data, this.channel)) return;
    const e = ev.data;
    if (e.type === "result") {
      const w = this.waiting_.get(e.id);
      if (!w) return;
      this.waiting_.delete(e.id);
      clearTimeout(w.timer);
      if (e.ok) w.resolve(e.value);
      else w.reject(toSealpayError(e.error));
      return;
    }
    if (e.type === "ready") {
      if (typeof e.title === "string" && e.title) this.iframe.title = e.title.slice(0, 100);
      this.resolveReady_();
    }
    if (e.type === "resize" && typeof e.height === "number" && e.height > 0 && e.height < 2e3) {
      this.iframe.style.height = `${Math.ceil(e.height)}px`;
      return;
    }
    this.onEvent_(e);
  };
};
function base(what, names, frame) {
  const handlers = new Map(names.map((n) => [n, /* @__PURE__ */ new Set()]));
  let destroyed = false;
  let mounted = false;
  const alive = (verb) => {
    if (destroyed) throw new SealpayUsageError(`You cannot call "${verb}" on a destroyed ${what}; create a new one`);
  };
  const element = {
    mount(target) {
      alive("mount");
      if (mounted) throw new SealpayUsageError(`The ${what} is already mounted; call "unmount" first`);
      const el = typeof target === "string" ? document.querySelector(target) : target;
      if (!el || typeof el.appendChild !== "function") {
        throw new SealpayUsageError(`mount: no element matches ${typeof target === "string" ? JSON.stringify(target) : "the argument"}; pass a CSS selector or an HTMLElement that is in the page`);
      }
      frame().listen();
      el.appendChild(frame().iframe);
      mounted = true;
    },
    on(event, handler) {
      alive("on");
      const set = handlers.get(event);
      if (!set) throw new SealpayUsageError(`Unknown event ${JSON.stringify(event)}; use one of ${names.join(", ")}`);
      if (typeof handler !== "function") throw new SealpayUsageError(`on(${JSON.stringify(event)}, handler): handler must be a function`);
      set.add(handler);
      return () => element.off(event, handler);
    },
    off(event, handler) {
      handlers.get(event)?.delete(handler);
    },
    unmount() {
      if (!mounted) return;
      frame().close(`Sealpay: the ${what} was unmounted`);
      mounted = false;
    },
    destroy() {
      element.unmount();
      for (const set of handlers.values()) set.clear();
      destroyed = true;
    }
  };
  return {
    emit(name, payload) {
      for (const h of handlers.get(name) ?? []) {
        try {
          h(payload);
        } catch (err) {
          setTimeout(() => {
            throw err;
          });
        }
      }
    },
    alive,
    mounted: () => mounted,
    element
  };
}
function createCardElement(cfg, opts, style) {
  const frame = new Frame(cfg, "card", { style, hideName: opts.hideName, locale: opts.locale }, (e) => {
    switch (e.type) {
      case "ready":
        emit("ready", {});
        break;
      case "change": {
        const { complete, empty, brand, error } = e;
        emit("change", error ? { complete, empty, brand, error } : { complete, empty, brand });
        break;
      }
      case "focus":
        emit("focus", { field: e.field });
        break;
      case "blur":
        emit("blur", { field: e.field });
        break;
      case "complete":
        emit("complete", { brand: e.brand });
        break;
      case "error":
        emit("error", e.error);
        break;
    }
  });
  const b = base("card element", ["ready", "change", "focus", "blur", "complete", "error"], () => frame);
  const emit = b.emit;
  const element = {
    ...b.element,
    async tokenize(options) {
      b.alive("tokenize");
      if (!b.mounted()) throw new SealpayUsageError('Call "mount" before "tokenize"');
      if (options !== void 0 && (options === null || typeof options !== "object")) {
        throw new SealpayUsageError("tokenize(options): options must be an object like { save: true }");
      }
      const save = options?.save;
      if (save !== void 0 && typeof save !== "boolean") {
        throw new SealpayUsageError("tokenize({ save }): save must be true or false");
      }
      const r = await frame.send(save ? { type: "tokenize", save: true } : { type: "tokenize" });
      return pickToken(r);
    },
    focus() {
      if (b.mounted()) void frame.send({ type: "focus" }).catch(() => void 0);
    },
    clear() {
      if (b.mounted()) void frame.send({ type: "clear" }).catch(() => void 0);
    }
  };
  return element;
}
var walletHeight = 48;
function createWalletButton(cfg, opts, lib2) {
  const x = loadExtra(cfg.edge);
  const frame = new Frame(cfg, "wallet", { locale: opts.locale, height: opts.height ?? walletHeight }, (e) => {
    if (!(x instanceof Promise)) x.walletEvent(lib2, w, e);
    else x.then((m) => m.walletEvent(lib2, w, e), (err) => b.emit("error", info2(toSealpayError(err))));
  });
  const b = base("wallet button", ["ready", "token", "cancel", "error"], () => frame);
  const w = { frame, emit: b.emit, alive: b.alive, mounted: b.mounted, googlePay: opts.googlePay, save: opts.save };
  return {
    ...b.element,
    async update(options) {
      b.alive("update");
      await (await x).walletUpdate(lib2, w, options);
    }
  };
}
function info2(e) {
  return { code: e.code, message: e.message };
}

// src/sealpay.ts
init_errors();

// src/locale.ts
var LOCALES = ["en", "zh-CN", "ja", "ko", "ru", "es", "pt-BR", "de", "fr", "id", "th", "vi"];
function isLocale(s) {
  return typeof s === "string" && LOCALES.includes(s);
}
function pickLocale(tags) {
  for (const tag of tags) {
    const exact = LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const lang = tag.split("-")[0].toLowerCase();
    const byLang = LOCALES.find((l) => l.split("-")[0].toLowerCase() === lang);
    if (byLang) return byLang;
  }
  return "en";
}
function browserLocale() {
  const nav = typeof navigator === "object" ? navigator : void 0;
  const tags = nav?.languages?.length ? nav.languages : nav?.language ? [nav.language] : [];
  return pickLocale(tags);
}

// src/sealpay.ts
init_version();
var memo = null;
var memoKey = "";
function load(options) {
  const opts = checkOptions(options);
  const key = JSON.stringify([opts.edge, opts.key, opts.locale, opts.merchant ?? null]);
  if (memo) {
    if (key !== memoKey) {
      throw new SealpayUsageError(
        "load was already called with different options; Sealpay can be loaded once per page — reuse the first promise"
      );
    }
    return memo;
  }
  if (typeof window === "undefined" || typeof document === "undefined") return Promise.resolve(null);
  memoKey = key;
  memo = create(opts).catch((e) => {
    memo = null;
    memoKey = "";
    throw e;
  });
  return memo;
}
function checkOptions(o) {
  if (!o || typeof o !== "object") {
    throw new SealpayUsageError('load needs options: load({ edge: "https://edge.example", key: "pk_…" })');
  }
  if (typeof o.key !== "string" || o.key === "") {
    throw new SealpayUsageError('load: the "key" option is missing; pass your publishable key, "pk_…"');
  }
  if (o.key.startsWith("sk_")) {
    throw new SealpayUsageError('load: "key" is a secret key (sk_…); never put it in a web page — use your publishable key, "pk_…", and rotate the secret key');
  }
  if (!/^pk_[A-Za-z0-9_]{1,200}$/.test(o.key)) {
    throw new SealpayUsageError('load: "key" must be a publishable key, "pk_…"');
  }
  if (typeof o.edge !== "string" || o.edge === "") {
    throw new SealpayUsageError(`load: the "edge" option is missing; pass your edge's origin, e.g. "https://edge.example"`);
  }
  const edge = o.edge.replace(/\/+$/, "");
  if (!isOrigin(edge)) {
    throw new SealpayUsageError(`load: "edge" must be an https origin with no path (http only on localhost), got ${JSON.stringify(o.edge)}`);
  }
  if (o.locale !== void 0 && o.locale !== "auto" && !isLocale(o.locale)) {
    throw new SealpayUsageError(`load: unsupported locale ${JSON.stringify(o.locale)}; use "auto" or one of ${LOCALES.join(", ")}`);
  }
  if (o.merchant !== void 0 && (typeof o.merchant !== "string" || !/^[A-Za-z0-9_.-]{1,128}$/.test(o.merchant))) {
    throw new SealpayUsageError('load: "merchant" must be your merchant id (letters, digits, _ . -)');
  }
  const out = { edge, key: o.key, locale: o.locale ?? "auto" };
  if (o.merchant) out.merchant = o.merchant;
  return out;
}
async function create(opts) {
  let res;
  try {
    res = await fetch(`${opts.edge}/v1/keys?key=${encodeURIComponent(opts.key)}`, {
      credentials: "omit",
      headers: { accept: "application/json" }
    });
  } catch (cause) {
    throw new SealpayError("upstream_error", `Failed to load Sealpay keys from ${opts.edge}`, { cause });
  }
  if (!res.ok) throw await httpError(res, `Failed to load Sealpay keys from ${opts.edge}`);
  let set;
  try {
    set = await res.json();
  } catch (cause) {
    throw new SealpayError("upstream_error", `Failed to load Sealpay keys from ${opts.edge}: not JSON`, { cause });
  }
  if (!set || !Array.isArray(set.keys) || set.keys.length === 0) {
    throw new SealpayError("upstream_error", `Failed to load Sealpay keys from ${opts.edge}: empty key set`);
  }
  const merchant = opts.merchant ?? (typeof set.merchant === "string" ? set.merchant : void 0);
  const locale = opts.locale === "auto" ? browserLocale() : opts.locale;
  return new Instance({ edge: opts.edge, key: opts.key, locale, merchant }, set);
}
async function httpError(res, what) {
  try {
    const body = await res.json();
    if (body?.error) {
      const e = toSealpayError(body.error, "upstream_error");
      return new SealpayError(e.code, `${what}: ${e.message}`);
    }
  } catch {
  }
  return new SealpayError(res.status === 401 ? "unauthorized" : "upstream_error", `${what}: HTTP ${res.status}`);
}
function elementLocale(what, locale) {
  if (locale !== void 0 && locale !== "auto" && !isLocale(locale)) {
    throw new SealpayUsageError(`${what}: unsupported locale ${JSON.stringify(locale)}; use one of ${LOCALES.join(", ")}`);
  }
  return locale === "auto" ? browserLocale() : locale;
}
var Instance = class {
  constructor(cfg_, keys_) {
    this.cfg_ = cfg_;
    this.keys_ = keys_;
  }
  cfg_;
  keys_;
  version = VERSION;
  qr_ = {};
  cardElement(options = {}) {
    if (!options || typeof options !== "object") throw new SealpayUsageError("cardElement(options): options must be an object");
    let style;
    if (options.style !== void 0) {
      if (!options.style || typeof options.style !== "object") throw new SealpayUsageError("cardElement: style must be an object (see the Style type)");
      style = JSON.stringify(options.style);
      if (style.length > 4e3) throw new SealpayUsageError("cardElement: style is too large (4000 characters of JSON at most)");
    }
    return createCardElement(this.cfg_, { ...options, locale: elementLocale("cardElement", options.locale) }, style);
  }
  async seal(card, options = {}) {
    if (!card || typeof card !== "object" || typeof card.number !== "string") {
      throw new SealpayUsageError("seal(card): card must be { number, exp_month, exp_year, cvc?, name? }");
    }
    if (!this.cfg_.merchant) {
      throw new SealpayError("bad_request", 'seal: the merchant id is unknown; pass "merchant" to load');
    }
    const ttl = options.ttl ?? 600;
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 3600) throw new SealpayUsageError("seal: ttl must be whole seconds in 1..3600");
    const direct = await loadDirect(this.cfg_.edge);
    return direct.seal(this.cfg_.edge, {
      keys: { keys: this.keys_.keys },
      card,
      merchant_id: this.cfg_.merchant,
      origin: window.location.origin,
      ttl
    });
  }
  async verifyQR(payload, options) {
    return (await loadExtra(this.cfg_.edge)).verifyQR(lib, this.cfg_, this.qr_, payload, options);
  }
  async scanQR(source, options) {
    return (await loadExtra(this.cfg_.edge)).scanQR(lib, this.cfg_.edge, source, options);
  }
  walletButton(options) {
    if (!options || typeof options !== "object" || !options.googlePay || typeof options.googlePay !== "object") {
      throw new SealpayUsageError("walletButton(options): pass { googlePay: { transactionInfo } }");
    }
    const locale = elementLocale("walletButton", options.locale);
    const h = options.height ?? walletHeight;
    if (!Number.isInteger(h) || h < 40 || h > 100) throw new SealpayUsageError("walletButton: height must be whole pixels in 40..100");
    if (options.save !== void 0 && typeof options.save !== "boolean") throw new SealpayUsageError("walletButton({ save }): save must be true or false");
    return createWalletButton(this.cfg_, { ...options, locale }, lib);
  }
  async tokenizeWallet(input) {
    return (await loadExtra(this.cfg_.edge)).tokenizeWallet(lib, this.cfg_.edge, this.cfg_.key, input);
  }
};
var lib = { SealpayError, SealpayUsageError, toSealpayError, httpError, pickToken, loadDecoder, Frame, isLocale, LOCALES };

// src/pure.ts
init_errors();
init_version();
export {
  SealpayError,
  SealpayUsageError,
  VERSION,
  load
};
