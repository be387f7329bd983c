/**
 * load: options checking, the memoized load promise, and the Sealpay
 * instance it resolves to.
 */
import { createCardElement, createWalletButton, Frame, walletHeight, type FrameConfig } from "./element.js";
import type { Lib, QRState } from "./extra.js";
import { SealpayError, SealpayUsageError, toSealpayError } from "./errors.js";
import { loadDecoder, loadDirect, loadExtra } from "./lazy.js";
import { pickToken } from "./token.js";
import { browserLocale, isLocale, LOCALES } from "./locale.js";
import { isOrigin } from "./protocol.js";
import type { CardInput, Locale, LoadOptions, QRVerdict, Sealpay, SealOptions, VerifyQROptions, WalletButtonOptions, WalletTokenInput, WalletTokenResult } from "./types.js";
import { VERSION } from "./version.js";

let memo: Promise<Sealpay | null> | null = null;
let memoKey = "";

/**
 * load checks its options and resolves to a {@link Sealpay}. It memoizes one
 * promise: later calls with the same options get the same promise; calls
 * with different options throw. A failed load is forgotten so the caller
 * can retry. On the server (no `window`) it resolves `null`.
 */
export function load(options: LoadOptions): Promise<Sealpay | null> {
  const opts = checkOptions(options);
  const key = JSON.stringify([opts.edge, opts.key, opts.locale, opts.merchant ?? null]);
  if (memo) {
    if (key !== memoKey) {
      throw new SealpayUsageError(
        "load was already called with different options; Sealpay can be loaded once per page — reuse the first promise",
      );
    }
    return memo;
  }
  if (typeof window === "undefined" || typeof document === "undefined") return Promise.resolve(null);
  memoKey = key;
  memo = create(opts).catch((e: unknown) => {
    memo = null;
    memoKey = "";
    throw e;
  });
  return memo;
}

interface Checked {
  edge: string;
  key: string;
  locale: string;
  merchant?: string;
}

function checkOptions(o: LoadOptions): Checked {
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
    throw new SealpayUsageError('load: the "edge" option is missing; pass your edge\'s origin, e.g. "https://edge.example"');
  }
  const edge = o.edge.replace(/\/+$/, "");
  if (!isOrigin(edge)) {
    throw new SealpayUsageError(`load: "edge" must be an https origin with no path (http only on localhost), got ${JSON.stringify(o.edge)}`);
  }
  if (o.locale !== undefined && o.locale !== "auto" && !isLocale(o.locale)) {
    throw new SealpayUsageError(`load: unsupported locale ${JSON.stringify(o.locale)}; use "auto" or one of ${LOCALES.join(", ")}`);
  }
  if (o.merchant !== undefined && (typeof o.merchant !== "string" || !/^[A-Za-z0-9_.-]{1,128}$/.test(o.merchant))) {
    throw new SealpayUsageError('load: "merchant" must be your merchant id (letters, digits, _ . -)');
  }
  const out: Checked = { edge, key: o.key, locale: o.locale ?? "auto" };
  if (o.merchant) out.merchant = o.merchant;
  return out;
}

/** The public key set the edge publishes, with the merchant it names for a pk_ key. */
interface KeySet {
  keys: unknown[];
  merchant?: string;
}

async function create(opts: Checked): Promise<Sealpay> {
  let res: Response;
  try {
    res = await fetch(`${opts.edge}/v1/keys?key=${encodeURIComponent(opts.key)}`, {
      credentials: "omit",
      headers: { accept: "application/json" },
    });
  } catch (cause) {
    throw new SealpayError("upstream_error", `Failed to load Sealpay keys from ${opts.edge}`, { cause });
  }
  if (!res.ok) throw await httpError(res, `Failed to load Sealpay keys from ${opts.edge}`);
  let set: KeySet;
  try {
    set = (await res.json()) as KeySet;
  } catch (cause) {
    throw new SealpayError("upstream_error", `Failed to load Sealpay keys from ${opts.edge}: not JSON`, { cause });
  }
  if (!set || !Array.isArray(set.keys) || set.keys.length === 0) {
    throw new SealpayError("upstream_error", `Failed to load Sealpay keys from ${opts.edge}: empty key set`);
  }
  const merchant = opts.merchant ?? (typeof set.merchant === "string" ? set.merchant : undefined);
  const locale = opts.locale === "auto" ? browserLocale() : opts.locale;
  return new Instance({ edge: opts.edge, key: opts.key, locale, merchant }, set);
}

/** httpError turns an edge error response into a SealpayError. */
export async function httpError(res: Response, what: string): Promise<SealpayError> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    if (body?.error) {
      const e = toSealpayError(body.error, "upstream_error");
      return new SealpayError(e.code, `${what}: ${e.message}`);
    }
  } catch {
    // fall through: not a JSON error body
  }
  return new SealpayError(res.status === 401 ? "unauthorized" : "upstream_error", `${what}: HTTP ${res.status}`);
}

/** elementLocale checks an element's locale option (what names the method) and resolves "auto". */
function elementLocale(what: string, locale: unknown): Locale | undefined {
  if (locale !== undefined && locale !== "auto" && !isLocale(locale)) {
    throw new SealpayUsageError(`${what}: unsupported locale ${JSON.stringify(locale)}; use one of ${LOCALES.join(", ")}`);
  }
  return locale === "auto" ? browserLocale() : (locale as Locale | undefined);
}

class Instance implements Sealpay {
  readonly version = VERSION;
  private readonly qr_: QRState = {};

  constructor(
    private readonly cfg_: FrameConfig,
    private readonly keys_: KeySet,
  ) {}

  cardElement(options: Parameters<Sealpay["cardElement"]>[0] = {}) {
    if (!options || typeof options !== "object") throw new SealpayUsageError("cardElement(options): options must be an object");
    // The frame checks the style against its whitelist and reports a
    // refused one through the element's "error" event (code bad_request);
    // keeping the whitelist out of this script keeps the loader small.
    let style: string | undefined;
    if (options.style !== undefined) {
      if (!options.style || typeof options.style !== "object") throw new SealpayUsageError("cardElement: style must be an object (see the Style type)");
      style = JSON.stringify(options.style);
      if (style.length > 4000) throw new SealpayUsageError("cardElement: style is too large (4000 characters of JSON at most)");
    }
    return createCardElement(this.cfg_, { ...options, locale: elementLocale("cardElement", options.locale) }, style);
  }

  async seal(card: CardInput, options: SealOptions = {}): Promise<string> {
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
      ttl,
    });
  }

  async verifyQR(payload: string, options?: VerifyQROptions): Promise<QRVerdict> {
    return (await loadExtra(this.cfg_.edge)).verifyQR(lib, this.cfg_, this.qr_, payload, options);
  }

  async scanQR(source: Parameters<Sealpay["scanQR"]>[0], options?: Parameters<Sealpay["scanQR"]>[1]) {
    return (await loadExtra(this.cfg_.edge)).scanQR(lib, this.cfg_.edge, source, options);
  }

  walletButton(options: WalletButtonOptions) {
    // The frame checks the Google Pay options (it trusts nothing the page
    // sends); here only what a typo would break.
    if (!options || typeof options !== "object" || !options.googlePay || typeof options.googlePay !== "object") {
      throw new SealpayUsageError("walletButton(options): pass { googlePay: { transactionInfo } }");
    }
    const locale = elementLocale("walletButton", options.locale);
    const h = options.height ?? walletHeight;
    if (!Number.isInteger(h) || h < 40 || h > 100) throw new SealpayUsageError("walletButton: height must be whole pixels in 40..100");
    if (options.save !== undefined && typeof options.save !== "boolean") throw new SealpayUsageError("walletButton({ save }): save must be true or false");
    return createWalletButton(this.cfg_, { ...options, locale }, lib);
  }

  async tokenizeWallet(input: WalletTokenInput): Promise<WalletTokenResult> {
    return (await loadExtra(this.cfg_.edge)).tokenizeWallet(lib, this.cfg_.edge, this.cfg_.key, input);
  }
}

/** What extra.ts takes from the loader (its own copies would be other classes). */
const lib: Lib = { SealpayError, SealpayUsageError, toSealpayError, httpError, pickToken, loadDecoder, Frame, isLocale, LOCALES };
