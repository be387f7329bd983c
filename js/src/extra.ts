/**
 * The loader's code for rarer paths: the wallet button's messages and
 * update, tokenizeWallet and scanQR. The npm builds import it as usual;
 * the <script> build loads it from the edge as extra.js, pinned by its
 * Subresource Integrity hash, on first use (lazy-snippet.ts), which keeps
 * sealpay.js under its size budget (docs/browser.md, Sizes).
 *
 * Everything it needs from the loader comes in a {@link Lib}, never from
 * its own copy: a separately built chunk would otherwise throw errors of
 * another SealpayError class than the page's `Sealpay.SealpayError`.
 */
import type { Frame, FrameConfig } from "./element.js";
import type { SealpayError, SealpayUsageError } from "./errors.js";
import type { Command, FrameEvent } from "./protocol.js";
import type {
  ErrorCode, Locale, QRDecoder, QRVerdict, VerifyQROptions, QRSource, ScanQROptions, SealpayErrorInfo, TokenResult, Wallet, WalletButtonEventMap, WalletButtonOptions,
  WalletTokenInput, WalletTokenResult,
} from "./types.js";

/** What the chunk takes from the loader. */
export interface Lib {
  SealpayError: typeof SealpayError;
  SealpayUsageError: typeof SealpayUsageError;
  toSealpayError(e: unknown, fallback?: ErrorCode): SealpayError;
  httpError(res: Response, what: string): Promise<SealpayError>;
  pickToken(r: unknown): TokenResult;
  loadDecoder(edge: string): QRDecoder | Promise<QRDecoder>;
  Frame: typeof Frame;
  isLocale(s: unknown): s is Locale;
  LOCALES: readonly Locale[];
}

/** A mounted or unmounted wallet button, as the loader made it (element.ts). */
export interface WalletState {
  frame: { send<T>(command: Command): Promise<T> };
  emit<K extends keyof WalletButtonEventMap>(name: K, payload: WalletButtonEventMap[K]): void;
  alive(verb: string): void;
  mounted(): boolean;
  googlePay: unknown;
  save?: boolean;
}

const info = (e: SealpayError): SealpayErrorInfo => ({ code: e.code, message: e.message });

/**
 * pickWalletToken keeps only the documented members of a wallet token
 * result: a token result's, the wallet and the auth method.
 */
export function pickWalletToken(lib: Pick<Lib, "SealpayError" | "pickToken">, r: unknown): WalletTokenResult {
  const o = (r ?? {}) as { wallet?: unknown; auth_method?: unknown };
  const t = lib.pickToken(r);
  if ((o.wallet !== "google_pay" && o.wallet !== "apple_pay") || (o.auth_method !== "PAN_ONLY" && o.auth_method !== "CRYPTOGRAM_3DS")) {
    throw new lib.SealpayError("upstream_error", "Sealpay: the edge's answer names no wallet");
  }
  return { ...t, wallet: o.wallet, auth_method: o.auth_method };
}

const command = (w: WalletState): Command => (w.save ? { type: "wallet", googlePay: w.googlePay, save: w.save } : { type: "wallet", googlePay: w.googlePay });

/**
 * walletEvent handles a wallet frame's event: on `ready` it sends the
 * Google Pay options (the frame answers with the wallets it shows); a
 * token keeps only its documented members.
 */
export function walletEvent(lib: Lib, w: WalletState, e: FrameEvent): void {
  switch (e.type) {
    case "ready":
      w.frame.send<{ wallets?: unknown }>(command(w)).then(
        (r) => w.emit("ready", { wallets: Array.isArray(r?.wallets) ? r.wallets.filter((x): x is Wallet => x === "google_pay") : [] }),
        (err: unknown) => w.emit("error", info(lib.toSealpayError(err))),
      );
      break;
    case "token": {
      try {
        w.emit("token", pickWalletToken(lib, e.value));
      } catch (err) {
        w.emit("error", info(lib.toSealpayError(err)));
      }
      break;
    }
    case "cancel": w.emit("cancel", {}); break;
    case "error": w.emit("error", e.error); break;
  }
}

/** walletUpdate is WalletButton.update: new transaction info or save, sent to a mounted frame. */
export async function walletUpdate(lib: Lib, w: WalletState, options: Partial<Pick<WalletButtonOptions, "googlePay" | "save">>): Promise<void> {
  w.alive("update");
  if (!options || typeof options !== "object" || (options.googlePay === undefined && options.save === undefined)) {
    throw new lib.SealpayUsageError("update(options): pass { googlePay: { transactionInfo } } or { save }");
  }
  if (options.save !== undefined && typeof options.save !== "boolean") throw new lib.SealpayUsageError("update({ save }): save must be true or false");
  if (options.googlePay !== undefined) {
    const t = options.googlePay?.transactionInfo;
    if (!t || typeof t !== "object") throw new lib.SealpayUsageError("update({ googlePay: { transactionInfo } }): transactionInfo must be an object");
    w.googlePay = { ...(w.googlePay as object), transactionInfo: t };
  }
  if (options.save !== undefined) w.save = options.save;
  if (w.mounted()) await w.frame.send(command(w));
}

/** tokenizeWallet is Sealpay.tokenizeWallet, for the edge at edge with publishable key key. */
export async function tokenizeWallet(lib: Lib, edge: string, key: string, input: WalletTokenInput): Promise<WalletTokenResult> {
  const w = input?.wallet;
  const data: unknown = input?.paymentData;
  if ((w !== "apple_pay" || !data || typeof data !== "object") && (w !== "google_pay" || typeof data !== "string")) {
    throw new lib.SealpayUsageError('tokenizeWallet: pass { wallet: "apple_pay", paymentData: event.payment.token.paymentData }');
  }
  let res: Response;
  try {
    res = await fetch(`${edge}/v1/tokens`, {
      method: "POST",
      credentials: "omit",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ wallet: w, payment_data: data }),
    });
  } catch (cause) {
    throw new lib.SealpayError("upstream_error", `Sealpay: tokenizeWallet failed to reach ${edge}`, { cause });
  }
  if (res.status !== 201) throw await lib.httpError(res, "Sealpay: tokenizeWallet failed");
  return pickWalletToken(lib, await res.json().catch(() => null));
}

type G = typeof globalThis & {
  BarcodeDetector?: {
    new (o: { formats: string[] }): { detect(s: unknown): Promise<Array<{ rawValue: string }>> };
    getSupportedFormats?(): Promise<string[]>;
  };
};

/**
 * scanQR returns the text of the first QR code in source, or null:
 * BarcodeDetector where the browser has one, else the fallback decoder
 * (jsQR), loaded on first use.
 */
export async function scanQR(lib: Lib, edge: string, source: QRSource, opts: ScanQROptions = {}): Promise<string | null> {
  if (!source || typeof source !== "object") {
    throw new lib.SealpayUsageError("scanQR: pass a <video>, <img>, <canvas>, ImageBitmap or ImageData");
  }
  const g = globalThis as G;
  if (!opts.decoder && g.BarcodeDetector && !isImageData(source)) {
    const formats = (await g.BarcodeDetector.getSupportedFormats?.()) ?? ["qr_code"];
    if (formats.includes("qr_code")) {
      const found = await new g.BarcodeDetector({ formats: ["qr_code"] }).detect(source);
      return found[0]?.rawValue ?? null;
    }
  }
  const decode = opts.decoder ?? (await lib.loadDecoder(edge));
  const img = pixels(lib, source);
  return decode(img.data, img.width, img.height);
}

function isImageData(s: unknown): s is ImageData {
  return typeof ImageData === "function" && s instanceof ImageData;
}

function pixels(lib: Lib, source: QRSource): ImageData {
  if (isImageData(source)) return source;
  const s = source as HTMLVideoElement & HTMLImageElement & HTMLCanvasElement;
  const width = s.videoWidth || s.naturalWidth || s.width;
  const height = s.videoHeight || s.naturalHeight || s.height;
  if (!width || !height) throw new lib.SealpayError("qr_malformed", "scanQR: the source has no pixels yet (is the video playing, the image loaded?)");
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new lib.SealpayError("internal", "scanQR: no 2D canvas");
  ctx.drawImage(source as CanvasImageSource, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

/** The hidden QR frame of one loaded Sealpay, made on its first verifyQR. */
export interface QRState {
  core?: Frame;
}

/** verifyQR is Sealpay.verifyQR: the payload checked in the hidden core frame. */
export async function verifyQR(lib: Lib, cfg: FrameConfig, st: QRState, payload: string, options: VerifyQROptions = {}): Promise<QRVerdict> {
  if (typeof payload !== "string") throw new lib.SealpayUsageError("verifyQR(payload): payload must be the QR code's text");
  if (options.lang !== undefined && !lib.isLocale(options.lang)) {
    throw new lib.SealpayUsageError(`verifyQR: unsupported lang ${JSON.stringify(options.lang)}; use one of ${lib.LOCALES.join(", ")}`);
  }
  let core = st.core;
  if (!core) {
    core = new lib.Frame(cfg, "core", {}, () => undefined);
    // Hidden from sight, the keyboard and assistive technology.
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
    return await core.send<QRVerdict>({ type: "verifyQR", payload, expect: options.expect, lang: options.lang ?? cfg.locale });
  } catch (e) {
    if (e instanceof lib.SealpayError && e.message.includes("did not answer")) {
      core.close("Sealpay: the QR frame was reset");
      if (st.core === core) st.core = undefined;
    }
    throw e;
  }
}
