/**
 * The hosted-fields page, served by the edge as /v1/frame.html + frame.js.
 * It holds the card inputs, runs the WebAssembly module (the merchant's page
 * never does), seals the card to the edge's key, exchanges the envelope for
 * a token at its own origin, and sends only the token and card metadata to
 * the parent page named in its URL.
 */
import { callCore, CARD, loadModule, QR, type CardCore, type QRCore } from "../direct.js";
import { pickToken } from "../token.js";
import { SealpayError, toSealpayError } from "../errors.js";
import { isLocale, pickLocale } from "../locale.js";
import { assetURL, modulePins, qrRoots } from "../pins.js";
import { isMessage, parseFrameParams, PROTOCOL, type Command, type FrameEvent, type FrameParams } from "../protocol.js";
import { checkStyle, styleCSS } from "../style.js";
import type { CardBrand, CardField, Locale, SealpayErrorInfo } from "../types.js";
import { VERSION } from "../version.js";
import type { GooglePay } from "./googlepay.js";
import { brandNames, messageCode, messages, type MessageKey } from "./i18n.js";

/** The bridge's checkCard answer (see sdk/bridge). */
interface FieldState {
  value: string;
  complete: boolean;
  potentially_valid: boolean;
  error?: SealpayErrorInfo;
}
interface CheckResult {
  brand: CardBrand | null;
  complete: boolean;
  empty: boolean;
  number: FieldState & { max_length?: number };
  expiry: FieldState & { month?: number; year?: number };
  cvc: FieldState & { label?: string; max_length?: number };
  name: FieldState;
}

const fields: readonly CardField[] = ["number", "expiry", "cvc", "name"];

/** How long a tokenize waits for the card module before it fails. */
const moduleWait = 30_000;
/** The pause before a failed card module load is tried again. */
const retryPause = 1_000;

// Accessibility (docs/browser.md, "Accessibility"): on a white page the
// border (#6e7681) and the focus outline (#2563eb) have over 3:1 against
// it, the error text (#d02b20) and the placeholder over 4.5:1. The frame
// keeps this light palette whatever the shopper's OS prefers: it cannot
// see the merchant's page, and a dark palette of its own put light labels
// (and a merchant's dark input text) on a dark box on a light page. The
// outline fits in the form's 2 px padding, so the iframe's edge never
// clips it. The brand's name sits on the label's line, never over the
// digits. Below 240 px (200 % zoom on a phone) the expiry and CVC stack,
// and the iframe follows the form's height (resize). prefers-reduced-motion
// turns every transition off.
const baseCSS = `
:root{color-scheme:light}
body{margin:0;font:16px system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;background:transparent}
form{display:grid;gap:8px;padding:2px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px;align-items:start}
@media (max-width:240px){.pair{grid-template-columns:1fr}}
.field{display:grid;gap:2px;align-content:start}
label{font-size:13px;line-height:16px}
.head{display:flex;justify-content:space-between;gap:8px}
input{box-sizing:border-box;width:100%;height:40px;font:inherit;padding:8px;border:1px solid #6e7681;border-radius:4px;background:transparent;color:inherit;transition:border-color .15s}
input::placeholder{color:#6e7681;opacity:1}
input:focus-visible{outline:2px solid #2563eb;outline-offset:0}
input[aria-invalid=true]{border-color:#d02b20}
.brand{font-size:12px;line-height:16px;opacity:.75}
.error{margin:0;min-height:16px;line-height:16px;font-size:12px;color:#d02b20}
#form-error:empty{display:none}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
`;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

class HostedFields {
  private core: CardCore | null = null;
  private card: Promise<CardCore> | null = null;
  private qr: Promise<QRCore> | null = null;
  private state: CheckResult | null = null;
  private seq = 0;
  private touched = new Set<CardField>();
  private busy = false;
  private wasComplete = false;
  private keys: Promise<{ keys: unknown[]; merchant?: string }> | null = null;
  private trust: Promise<string> | null = null;
  private googlePay: Promise<GooglePay> | null = null;
  private walletButtons: (() => Promise<GooglePay>) | null = null;
  private readonly t: Record<MessageKey, string>;
  private readonly locale: Locale;

  constructor(
    private readonly p: FrameParams,
    private readonly nonce: string,
  ) {
    this.locale = isLocale(p.locale) ? p.locale : pickLocale([p.locale]);
    this.t = messages[this.locale];
  }

  /** post sends an event to the parent, and to no other origin. */
  post(e: FrameEvent): void {
    window.parent.postMessage({ sealpay: PROTOCOL, channel: this.p.channel, ...e }, this.p.origin);
  }

  start(): void {
    window.addEventListener("message", this.onMessage);
    // The hidden core frame only checks QR codes: it loads the QR module
    // on the first verifyQR, and no card module at all.
    if (this.p.mode === "card") {
      // The form shows and takes input at once; the card module (whose
      // download frame.html started) formats and checks what was typed the
      // moment it is ready. Nothing leaves the frame before it is sealed.
      this.setUpForm();
      document.body.hidden = false;
      this.reportSize();
      void this.loadCard().catch(() => undefined);
      // The key set too, so a tokenize waits for no round trip of its own.
      void this.loadKeys().catch(() => undefined);
    }
    if (this.p.mode === "wallet") this.setUpWallet();
    // The parent titles the card and wallet iframes in the shopper's
    // language (element.ts); the hidden core frame has no title to give.
    const title = this.p.mode === "card" ? this.t.title : this.p.mode === "wallet" ? this.t.wallet : "";
    this.post(title ? { type: "ready", version: VERSION, title } : { type: "ready", version: VERSION });
  }

  /**
   * loadCard resolves to the card module, loading it on first use. A load
   * that fails is reported with an error event and tried once more after
   * a pause; if that fails too, the next call (a tokenize) tries again.
   */
  private loadCard(): Promise<CardCore> {
    if (!this.card) {
      const attempt = (): Promise<CardCore> => loadModule("", CARD, modulePins());
      this.card = attempt()
        .catch(async (e: unknown) => {
          this.post({ type: "error", error: info(toSealpayError(e)) });
          await new Promise((r) => setTimeout(r, retryPause));
          return attempt();
        })
        .then(
          (core) => {
            this.core = core;
            // Format and check what the shopper typed meanwhile (an empty
            // form has nothing to report: change events follow input).
            if (fields.some((f) => $<HTMLInputElement>(f).value !== "")) void this.check(fields);
            return core;
          },
          (e: unknown) => {
            this.card = null;
            this.post({ type: "error", error: info(toSealpayError(e)) });
            throw e;
          },
        );
    }
    return this.card;
  }

  /** cardModule waits for the card module, at most moduleWait. */
  private async cardModule(): Promise<CardCore> {
    if (this.core) return this.core;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SealpayError("upstream_error", "Sealpay: the card module did not load in time")), moduleWait);
    });
    try {
      return await Promise.race([this.loadCard(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * setUpWallet shows the wallet frame's (empty) button area and starts
   * fetching the merchant's wallet settings; the button appears once the
   * page has sent its options and Google says the shopper can pay. This
   * frame loads no card module, and holds no card input.
   */
  private setUpWallet(): void {
    document.documentElement.lang = this.locale;
    document.title = this.t.wallet;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync("html,body{margin:0;height:100%;background:transparent}#wallet{height:100%}#wallet>*{width:100%;height:100%}");
    document.adoptedStyleSheets = [sheet];
    $("card").remove();
    // The frame's one landmark, as axe's landmark-one-main asks of a document.
    // Named, so that it differs from the page's own main (landmark-unique).
    const container = document.createElement("main");
    container.id = "wallet";
    container.setAttribute("aria-label", this.t.wallet);
    document.body.append(container);
    document.body.hidden = false;
    const settings = getJSON<{ google_pay?: unknown }>("/v1/wallets", this.p.key).then((w) => w.google_pay ?? null);
    // A failure is reported by the first "wallet" command, not here.
    settings.catch(() => undefined);
    this.walletButtons = () => {
      // A failed download of wallet.js is tried again by the next command.
      this.googlePay ??= loadWalletCode().then(
        (GP) => new GP(this.p.key, this.locale, this.nonce, container, settings, (e) => this.post(e)),
        (e: unknown) => {
          this.googlePay = null;
          throw e;
        },
      );
      return this.googlePay;
    };
    void this.walletButtons().catch(() => undefined);
  }

  private setUpForm(): void {
    document.documentElement.lang = this.locale;
    document.title = this.t.title;
    const sheets: CSSStyleSheet[] = [];
    const base = new CSSStyleSheet();
    base.replaceSync(baseCSS);
    sheets.push(base);
    if (this.p.style) {
      try {
        const css = styleCSS(checkStyle(JSON.parse(this.p.style)), (v) =>
          v === "base" ? "input" : v === "invalid" ? "input[aria-invalid=true]" : `input.${v}`,
        );
        const custom = new CSSStyleSheet();
        custom.replaceSync(css);
        sheets.push(custom);
      } catch (e) {
        // The style is the merchant's; tell them exactly what was refused.
        this.post({ type: "error", error: { code: "bad_request", message: `Sealpay: ${(e as Error).message}` } });
      }
    }
    document.adoptedStyleSheets = sheets;
    for (const f of fields) $(`${f}-label`).textContent = this.t[f];
    $<HTMLInputElement>("expiry").placeholder = this.t.expiry_placeholder;
    $<HTMLInputElement>("number").placeholder = "1234 1234 1234 1234";
    if (this.p.hideName) $("f-name").hidden = true;
    for (const f of fields) {
      const input = $<HTMLInputElement>(f);
      input.addEventListener("input", (e) => {
        this.formError("");
        // Reformatting after a deletion would put back the separator the
        // shopper just removed; format again on the next insertion.
        const deleting = (e as InputEvent).inputType?.startsWith("delete") ?? false;
        void this.check(deleting ? [] : [f]);
      });
      input.addEventListener("focus", () => this.post({ type: "focus", field: f }));
      input.addEventListener("blur", () => {
        if (input.value !== "") this.touched.add(f);
        this.render();
        this.post({ type: "blur", field: f });
      });
    }
    $("card").addEventListener("submit", (e) => e.preventDefault());
    if (typeof ResizeObserver === "function") new ResizeObserver(() => this.reportSize()).observe(document.body);
  }

  /**
   * reportSize sends the form's height: the root's scrollHeight would be
   * at least the iframe's, so the frame could grow (an error wrapping at
   * 200 % zoom) but never shrink back.
   */
  private reportSize(): void {
    this.post({ type: "resize", height: Math.ceil($("card").getBoundingClientRect().height) });
  }

  private values(): Record<CardField, string> {
    const v = {} as Record<CardField, string>;
    for (const f of fields) v[f] = $<HTMLInputElement>(f).value;
    if (this.p.hideName) v.name = "";
    return v;
  }

  /**
   * check asks the module about the current input and applies the answer
   * if nothing changed meanwhile, reformatting the changed fields.
   */
  private async check(changed: readonly CardField[] = []): Promise<CheckResult | null> {
    if (!this.core) return null;
    const seq = ++this.seq;
    const values = this.values();
    let r: CheckResult;
    try {
      r = await callCore<CheckResult>(this.core, "checkCard", values);
    } catch (e) {
      this.post({ type: "error", error: info(toSealpayError(e)) });
      return null;
    }
    if (seq !== this.seq) return null;
    this.state = r;
    for (const f of changed) if (f !== "name") reformat($<HTMLInputElement>(f), r[f].value);
    this.render();
    const first = this.firstError(false);
    const brand = r.brand ?? null;
    this.post(first ? { type: "change", complete: r.complete, empty: r.empty, brand, error: first } : { type: "change", complete: r.complete, empty: r.empty, brand });
    if (r.complete && !this.wasComplete && brand) this.post({ type: "complete", brand });
    this.wasComplete = r.complete;
    return r;
  }

  /** messageFor returns the key of the text to show for a field, or null. */
  private messageFor(f: CardField, all: boolean): MessageKey | null {
    const s = this.state?.[f];
    if (!s) return null;
    if (s.error && !s.potentially_valid) {
      switch (s.error.code) {
        case "unsupported_brand": return "brand_unsupported";
        case "card_expired": return "expiry_past";
        default: return f === "name" ? null : (`${f}_invalid` as MessageKey);
      }
    }
    if (!s.complete && (all || this.touched.has(f)) && f !== "name") return `${f}_incomplete` as MessageKey;
    return null;
  }

  private firstError(all: boolean): SealpayErrorInfo | undefined {
    for (const f of fields) {
      const k = this.messageFor(f, all);
      if (k) return { code: messageCode[k] ?? "internal", message: this.t[k] };
    }
    return undefined;
  }

  /** render sets aria-invalid, classes, error texts and the live region. */
  private render(): void {
    if (!this.state) return;
    let live = "";
    for (const f of fields) {
      const input = $<HTMLInputElement>(f);
      const k = this.messageFor(f, false);
      input.setAttribute("aria-invalid", k ? "true" : "false");
      input.classList.toggle("complete", this.state[f].complete && input.value !== "");
      input.classList.toggle("empty", input.value === "");
      const text = k ? this.t[k] : "";
      const el = $(`${f}-error`);
      if (el.textContent !== text) {
        el.textContent = text;
        if (text && !live) live = text;
      }
    }
    const brand = this.state.brand;
    $("brand").textContent = brand ? (brandNames[brand] ?? brand) : "";
    const cvcLabel = this.state.cvc.label;
    $<HTMLInputElement>("cvc").placeholder = cvcLabel ?? "CVC";
    if (this.state.cvc.max_length) $<HTMLInputElement>("cvc").maxLength = this.state.cvc.max_length;
    if (live) this.announce(live);
  }

  /** announce has the live region read text, even the text it read last. */
  private announce(text: string): void {
    const live = $("live");
    live.textContent = live.textContent === text ? `${text}\u00a0` : text;
  }

  /** formError shows (and announces) a problem that is not one field's, or clears it. */
  private formError(text: string): void {
    $("form-error").textContent = text;
    if (text) this.announce(text);
  }

  private onMessage = (ev: MessageEvent): void => {
    // Commands come only from the parent window, at the origin the edge approved.
    if (ev.source !== window.parent || ev.origin !== this.p.origin) return;
    if (!isMessage(ev.data, this.p.channel)) return;
    const { id, command } = ev.data as unknown as { id: number; command: Command };
    if (typeof id !== "number" || !command || typeof command !== "object") return;
    this.run(command).then(
      (value) => this.post({ type: "result", id, ok: true, value }),
      (e: unknown) => this.post({ type: "result", id, ok: false, error: info(toSealpayError(e)) }),
    );
  };

  private async run(c: Command): Promise<unknown> {
    switch (c.type) {
      case "tokenize":
        if (this.p.mode !== "card") throw new SealpayError("bad_request", "Sealpay: this frame has no card fields");
        return this.tokenize(c.save === true);
      case "verifyQR":
        return this.verifyQR(c.payload, c.expect, c.lang);
      case "wallet":
        if (!this.walletButtons) throw new SealpayError("bad_request", "Sealpay: this frame has no wallet buttons");
        return { wallets: await (await this.walletButtons()).configure(c.googlePay, c.save === true) };
      case "focus":
        if (this.p.mode !== "card") return null;
        $<HTMLInputElement>("number").focus();
        return null;
      case "clear":
        if (this.p.mode === "wallet") return null;
        for (const f of fields) $<HTMLInputElement>(f).value = "";
        this.touched.clear();
        this.formError("");
        await this.check();
        return null;
      default:
        throw new SealpayError("bad_request", "Sealpay: unknown command");
    }
  }

  /** save: the shopper asked to keep the card; otherwise the token is single-use. */
  private async tokenize(save: boolean): Promise<unknown> {
    if (this.busy) throw new SealpayError("bad_request", "Sealpay: tokenize is already running");
    this.busy = true;
    this.formError("");
    const inputs = fields.map((f) => $<HTMLInputElement>(f));
    // A field's problem is shown by its field; any other (the module, the
    // key set, the edge) under the form, in the shopper's language.
    let fieldProblem = false;
    try {
      // A tokenize before the module is ready waits for it, not forever.
      const core = await this.cardModule();
      const r = await this.check(fields);
      if (!r) throw new SealpayError("internal", this.t.failed);
      if (!r.complete) {
        // Every field now shows its problem, and keeps showing it while the
        // shopper types elsewhere (a later render would otherwise hide the
        // untouched fields' errors again, and the live region re-read them).
        for (const f of fields) this.touched.add(f);
        this.render();
        const first = this.firstError(true) ?? { code: "invalid_card_number" as const, message: this.t.number_incomplete };
        fieldProblem = true;
        this.announce(first.message);
        throw new SealpayError(first.code, first.message);
      }
      for (const i of inputs) i.disabled = true;
      const keys = await this.loadKeys();
      const merchant = this.p.merchant ?? keys.merchant;
      if (!merchant) throw new SealpayError("bad_request", "Sealpay: the edge named no merchant for this key");
      const v = this.values();
      const card: Record<string, unknown> = {
        number: v.number,
        exp_month: r.expiry.month,
        exp_year: r.expiry.year,
        cvc: v.cvc,
      };
      if (v.name.trim()) card.name = v.name.trim();
      const { envelope } = await callCore<{ envelope: string }>(core, "seal", {
        keys: { keys: keys.keys },
        card,
        merchant_id: merchant,
        origin: this.p.origin,
        ttl: 600,
      });
      const res = await fetch("/v1/tokens", {
        method: "POST",
        credentials: "omit",
        headers: { authorization: `Bearer ${this.p.key}`, "content-type": "application/json" },
        body: JSON.stringify(save ? { envelope, save: true } : { envelope }),
      });
      let body: unknown = null;
      try {
        body = await res.json();
      } catch {
        // handled below
      }
      if (res.status !== 201) {
        const err = (body as { error?: unknown } | null)?.error;
        throw err ? toSealpayError(err, "upstream_error") : new SealpayError("upstream_error", `Sealpay: tokenize failed (HTTP ${res.status})`);
      }
      // Only the token and the card's metadata leave the frame.
      return pickToken(body);
    } catch (e) {
      if (!fieldProblem) this.formError(this.t.failed);
      throw e;
    } finally {
      for (const i of inputs) i.disabled = false;
      this.busy = false;
    }
  }

  private loadKeys(): Promise<{ keys: unknown[]; merchant?: string }> {
    if (!this.keys) {
      this.keys = getJSON<{ keys: unknown[]; merchant?: string }>(`/v1/keys?key=${encodeURIComponent(this.p.key)}`).catch((e: unknown) => {
        this.keys = null;
        throw e;
      });
    }
    return this.keys;
  }

  private async verifyQR(payload: unknown, expect: unknown, lang: unknown): Promise<unknown> {
    if (typeof payload !== "string") throw new SealpayError("bad_request", "Sealpay: payload must be a string");
    // The registry roots come from this script, which frame.html pins by
    // its hash; nothing the parent page sends can change them.
    const roots = qrRoots();
    if (!this.qr) {
      this.qr = loadModule("", QR, modulePins()).catch((e: unknown) => {
        this.qr = null;
        throw e;
      });
    }
    if (!this.trust) {
      // The bundle goes to the module as text: its signature covers bytes
      // that a JSON round trip could change.
      this.trust = fetchText("/v1/qr/trust").catch((e: unknown) => {
        this.trust = null;
        throw e;
      });
    }
    const [qr, bundle] = await Promise.all([this.qr, this.trust]);
    const req: Record<string, unknown> = { payload, bundle, roots, lang: isLocale(lang) ? lang : this.locale };
    if (expect && typeof expect === "object") req.expect = expect;
    return callCore<unknown>(qr, "verifyQR", req);
  }
}

declare const __SEALPAY_WALLET_SRI__: string;

/**
 * loadWalletCode loads wallet.js, the Google Pay code of the wallet frame,
 * by its content address and with the hash this build pins (it has no
 * placeholder, so the JS build knows its hash).
 */
function loadWalletCode(): Promise<typeof GooglePay> {
  return new Promise((resolve, reject) => {
    const g = globalThis as { __sealpay_gpay?: typeof GooglePay };
    const s = document.createElement("script");
    s.src = assetURL("", "wallet.js", __SEALPAY_WALLET_SRI__);
    s.integrity = __SEALPAY_WALLET_SRI__;
    s.crossOrigin = "anonymous";
    s.onload = () => (g.__sealpay_gpay ? resolve(g.__sealpay_gpay) : reject(new SealpayError("upstream_error", "Failed to load wallet.js")));
    s.onerror = () => reject(new SealpayError("upstream_error", "Failed to load wallet.js"));
    document.head.appendChild(s);
  });
}

async function getJSON<T>(url: string, key?: string): Promise<T> {
  return JSON.parse(await fetchText(url, key)) as T;
}

/** fetchText GETs url at the frame's origin, with the publishable key as a bearer token if given. */
async function fetchText(url: string, key?: string): Promise<string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(url, { credentials: "omit", headers });
  if (!res.ok) {
    let err: unknown;
    try {
      err = ((await res.json()) as { error?: unknown }).error;
    } catch {
      // not JSON
    }
    throw err ? toSealpayError(err, "upstream_error") : new SealpayError("upstream_error", `Sealpay: GET ${url.split("?")[0]} failed (HTTP ${res.status})`);
  }
  return res.text();
}

function info(e: SealpayError): SealpayErrorInfo {
  return { code: e.code, message: e.message };
}

/**
 * reformat replaces an input's value with its formatted form and keeps the
 * caret after the same number of digits it followed before.
 */
function reformat(input: HTMLInputElement, formatted: string): void {
  if (input.value === formatted) return;
  const caret = input.selectionStart ?? input.value.length;
  const digitsBefore = input.value.slice(0, caret).replace(/\D/g, "").length;
  input.value = formatted;
  if (document.activeElement !== input) return;
  let pos = 0;
  for (let seen = 0; pos < formatted.length && seen < digitsBefore; pos++) {
    if (/\d/.test(formatted[pos]!)) seen++;
  }
  input.setSelectionRange(pos, pos);
}

function main(): void {
  // The wallet frame's script element carries its policy's nonce (the edge
  // writes a fresh one into each answer); Google's pay.js puts it on what
  // it injects. Readable only now, while this script runs.
  const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? "";
  const p = parseFrameParams(location.search);
  // A frame must be framed, by the page its URL names. ancestorOrigins
  // (where the browser has it) double-checks the edge's frame-ancestors CSP.
  if (!p || window.parent === window) return;
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0 && ancestors[0] !== p.origin) return;
  void new HostedFields(p, nonce).start();
}

main();
