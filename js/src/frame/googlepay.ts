/**
 * Google Pay in the wallet frame (mode=wallet): the frame, not the
 * merchant's page, loads Google's pay.js, asks Google to encrypt the
 * shopper's card to the edge's key (tokenization type DIRECT, protocol
 * ECv2), hands the encrypted token to the edge and passes only the vault
 * token on to the page.
 *
 * Everything Google Pay needs from the merchant's account (merchant id and
 * name, card networks, auth methods, the public key) comes from the edge's
 * GET /v1/wallets, at the frame's own origin; the page sends only the
 * transaction and the button's look, and those are checked here.
 *
 * The request objects are Google Pay API version 2.0:
 * https://developers.google.com/pay/api/web/reference/request-objects
 */
import { SealpayError, toSealpayError } from "../errors.js";
import { pickToken } from "../token.js";
import { pickWalletToken } from "../extra.js";
import type { GooglePayTransactionInfo, Locale, SealpayErrorInfo, WalletTokenResult } from "../types.js";

/** Google's script. It is served without a stable hash (Google changes it), so it cannot be pinned by SRI. */
export const PAY_JS = "https://pay.google.com/gp/p/js/pay.js";

/** The merchant's Google Pay settings, as GET /v1/wallets gives them (`google_pay`). */
export interface GooglePayConfig {
  environment: "TEST" | "PRODUCTION";
  merchant_id?: string;
  merchant_name?: string;
  protocol_version: "ECv2";
  /** The edge's public key: base64 of an uncompressed P-256 point, as Google's DIRECT tokenization takes it. */
  public_key: string;
  allowed_card_networks: string[];
  allowed_auth_methods: string[];
}

/** The button options the page may send, once checked. */
export interface ButtonOptions {
  transactionInfo: GooglePayTransactionInfo;
  buttonColor: "default" | "black" | "white";
  buttonType: "book" | "buy" | "checkout" | "donate" | "order" | "pay" | "plain" | "subscribe";
  buttonRadius?: number;
}

const networks = new Set(["AMEX", "DISCOVER", "ELECTRON", "ELO", "ELO_DEBIT", "INTERAC", "JCB", "MAESTRO", "MASTERCARD", "VISA"]);
const authMethods = new Set(["PAN_ONLY", "CRYPTOGRAM_3DS"]);

/** checkConfig checks the edge's google_pay settings; a malformed answer is the edge's fault (upstream_error). */
export function checkConfig(c: unknown): GooglePayConfig {
  function bad(what: string): never {
    throw new SealpayError("upstream_error", `Sealpay: the edge's Google Pay settings are malformed (${what})`);
  }
  if (!c || typeof c !== "object") bad("not an object");
  const o = c as Record<string, unknown>;
  if (o.environment !== "TEST" && o.environment !== "PRODUCTION") bad("environment");
  if (o.protocol_version !== "ECv2") bad("protocol_version");
  if (typeof o.public_key !== "string" || !/^[A-Za-z0-9+/]{80,120}={0,2}$/.test(o.public_key)) bad("public_key");
  for (const [k, allowed] of [["allowed_card_networks", networks], ["allowed_auth_methods", authMethods]] as const) {
    const v = o[k];
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "string" && allowed.has(x))) bad(k);
  }
  for (const k of ["merchant_id", "merchant_name"] as const) {
    if (o[k] !== undefined && o[k] !== null && (typeof o[k] !== "string" || (o[k] as string).length > 200)) bad(k);
  }
  if (o.environment === "PRODUCTION" && !o.merchant_id) bad("merchant_id, which PRODUCTION needs");
  const out: GooglePayConfig = {
    environment: o.environment as GooglePayConfig["environment"],
    protocol_version: "ECv2",
    public_key: o.public_key as string,
    allowed_card_networks: [...(o.allowed_card_networks as string[])],
    allowed_auth_methods: [...(o.allowed_auth_methods as string[])],
  };
  if (o.merchant_id) out.merchant_id = o.merchant_id as string;
  if (o.merchant_name) out.merchant_name = o.merchant_name as string;
  return out;
}

const colors = ["default", "black", "white"] as const;
const types = ["book", "buy", "checkout", "donate", "order", "pay", "plain", "subscribe"] as const;
const priceStatuses = ["FINAL", "ESTIMATED", "NOT_CURRENTLY_KNOWN"] as const;

/**
 * checkOptions checks what the page sent (WalletButtonOptions.googlePay)
 * and returns a copy holding only the known members; anything else throws
 * bad_request naming the member.
 */
export function checkOptions(v: unknown): ButtonOptions {
  function bad(what: string): never {
    throw new SealpayError("bad_request", `Sealpay: googlePay.${what}`);
  }
  if (!isPlain(v)) bad("options must be an object");
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!["transactionInfo", "buttonColor", "buttonType", "buttonRadius"].includes(k)) bad(`${k} is not an option`);
  const t = o.transactionInfo;
  if (!isPlain(t)) bad("transactionInfo must be an object");
  const ti = t as Record<string, unknown>;
  for (const k of Object.keys(ti)) {
    if (!["totalPriceStatus", "totalPrice", "currencyCode", "countryCode", "totalPriceLabel", "checkoutOption"].includes(k)) bad(`transactionInfo.${k} is not supported`);
  }
  if (!(priceStatuses as readonly unknown[]).includes(ti.totalPriceStatus)) bad(`transactionInfo.totalPriceStatus must be one of ${priceStatuses.join(", ")}`);
  if (typeof ti.currencyCode !== "string" || !/^[A-Z]{3}$/.test(ti.currencyCode)) bad("transactionInfo.currencyCode must be an ISO 4217 code like \"EUR\"");
  const info: GooglePayTransactionInfo = {
    totalPriceStatus: ti.totalPriceStatus as GooglePayTransactionInfo["totalPriceStatus"],
    currencyCode: ti.currencyCode,
  };
  if (ti.totalPriceStatus !== "NOT_CURRENTLY_KNOWN" || ti.totalPrice !== undefined) {
    if (typeof ti.totalPrice !== "string" || !/^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$/.test(ti.totalPrice)) {
      bad('transactionInfo.totalPrice must be a decimal string like "49.90"');
    }
    info.totalPrice = ti.totalPrice as string;
  }
  if (ti.countryCode !== undefined) {
    if (typeof ti.countryCode !== "string" || !/^[A-Z]{2}$/.test(ti.countryCode)) bad('transactionInfo.countryCode must be an ISO 3166-1 alpha-2 code like "DE"');
    info.countryCode = ti.countryCode;
  }
  if (ti.totalPriceLabel !== undefined) {
    if (typeof ti.totalPriceLabel !== "string" || ti.totalPriceLabel.length > 64 || /[\u0000-\u001f\u007f]/.test(ti.totalPriceLabel)) bad("transactionInfo.totalPriceLabel must be text of at most 64 characters");
    info.totalPriceLabel = ti.totalPriceLabel;
  }
  if (ti.checkoutOption !== undefined) {
    if (ti.checkoutOption !== "DEFAULT" && ti.checkoutOption !== "COMPLETE_IMMEDIATE_PURCHASE") bad("transactionInfo.checkoutOption must be DEFAULT or COMPLETE_IMMEDIATE_PURCHASE");
    info.checkoutOption = ti.checkoutOption;
  }
  const color = o.buttonColor ?? "default";
  if (!(colors as readonly unknown[]).includes(color)) bad(`buttonColor must be one of ${colors.join(", ")}`);
  const type = o.buttonType ?? "buy";
  if (!(types as readonly unknown[]).includes(type)) bad(`buttonType must be one of ${types.join(", ")}`);
  const out: ButtonOptions = { transactionInfo: info, buttonColor: color as ButtonOptions["buttonColor"], buttonType: type as ButtonOptions["buttonType"] };
  if (o.buttonRadius !== undefined) {
    if (!Number.isInteger(o.buttonRadius) || (o.buttonRadius as number) < 0 || (o.buttonRadius as number) > 24) bad("buttonRadius must be whole pixels in 0..24");
    out.buttonRadius = o.buttonRadius as number;
  }
  return out;
}

/** The card payment method: what the merchant's edge accepts. */
function cardMethod(cfg: GooglePayConfig) {
  return {
    type: "CARD",
    parameters: { allowedAuthMethods: cfg.allowed_auth_methods, allowedCardNetworks: cfg.allowed_card_networks },
  };
}

/** isReadyToPayRequest is Google's IsReadyToPayRequest for the merchant's settings. */
export function isReadyToPayRequest(cfg: GooglePayConfig) {
  return { apiVersion: 2, apiVersionMinor: 0, allowedPaymentMethods: [cardMethod(cfg)] };
}

/**
 * paymentDataRequest is Google's PaymentDataRequest: the card method with
 * DIRECT tokenization to the edge's key, so that Google encrypts the card
 * for the edge and for nobody else (not this frame, not the page).
 */
export function paymentDataRequest(cfg: GooglePayConfig, transactionInfo: GooglePayTransactionInfo) {
  const merchantInfo: Record<string, string> = {};
  if (cfg.merchant_id) merchantInfo.merchantId = cfg.merchant_id;
  if (cfg.merchant_name) merchantInfo.merchantName = cfg.merchant_name;
  return {
    apiVersion: 2,
    apiVersionMinor: 0,
    merchantInfo,
    allowedPaymentMethods: [{
      ...cardMethod(cfg),
      tokenizationSpecification: { type: "DIRECT", parameters: { protocolVersion: cfg.protocol_version, publicKey: cfg.public_key } },
    }],
    transactionInfo,
  };
}

/** The button's language: Google's 2-letter codes for the locales that have one. */
const buttonLocales: Partial<Record<Locale, string>> = {
  en: "en", "zh-CN": "zh", ja: "ja", ko: "ko", ru: "ru", es: "es", "pt-BR": "pt", de: "de", fr: "fr", id: "id", th: "th",
};

/** The part of Google's PaymentsClient the frame uses. */
export interface PaymentsClient {
  isReadyToPay(req: unknown): Promise<{ result?: unknown }>;
  loadPaymentData(req: unknown): Promise<unknown>;
  createButton(opts: Record<string, unknown>): HTMLElement;
}
type PaymentsClientClass = new (opts: { environment: string; nonce?: string }) => PaymentsClient;

let payJS: Promise<PaymentsClientClass> | null = null;

/** loadPayJS adds Google's pay.js to the frame, once (a failed load is tried again next time). */
export function loadPayJS(): Promise<PaymentsClientClass> {
  if (!payJS) {
    payJS = new Promise<PaymentsClientClass>((resolve, reject) => {
      const s = document.createElement("script");
      s.src = PAY_JS;
      s.async = true;
      const fail = () => reject(new SealpayError("upstream_error", "Sealpay: failed to load Google Pay (pay.js)"));
      s.onload = () => {
        const api = (globalThis as { google?: { payments?: { api?: { PaymentsClient?: unknown } } } }).google?.payments?.api;
        if (typeof api?.PaymentsClient === "function") resolve(api.PaymentsClient as PaymentsClientClass);
        else fail();
      };
      s.onerror = fail;
      document.head.appendChild(s);
    }).catch((e: unknown) => {
      payJS = null;
      throw e;
    });
  }
  return payJS;
}

/** What the wallet frame tells its parent. */
export type Post = (e: { type: "token"; value: WalletTokenResult } | { type: "cancel"; wallet: "google_pay" } | { type: "error"; error: SealpayErrorInfo }) => void;

/**
 * GooglePay is the wallet frame's Google Pay button. configure (the page's
 * options) resolves to the wallets shown: ["google_pay"] once Google says
 * the shopper can pay and the button is in, [] when the merchant has no
 * Google Pay or the shopper cannot use it.
 */
export class GooglePay {
  private opts: ButtonOptions | null = null;
  private shown: Promise<string[]> | null = null;
  private busy = false;
  private save = false;

  constructor(
    private readonly key: string,
    private readonly locale: Locale,
    private readonly nonce: string,
    private readonly container: HTMLElement,
    /** The google_pay member of GET /v1/wallets (null: no Google Pay), checked here. */
    private readonly settings: Promise<unknown>,
    private readonly post: Post,
  ) {}

  /** configure takes the page's options and whether the shopper saves the card (else the token is single-use). */
  configure(options: unknown, save: boolean): Promise<string[]> {
    // Checked first, so that a bad update leaves the last good options in place.
    this.opts = checkOptions(options);
    this.save = save;
    if (!this.shown) {
      this.shown = this.show().catch((e: unknown) => {
        this.shown = null;
        throw e;
      });
    }
    return this.shown;
  }

  private async show(): Promise<string[]> {
    const raw = await this.settings;
    const cfg = raw ? checkConfig(raw) : null;
    // No Google Pay for this merchant: Google's script is not even loaded.
    if (!cfg) return [];
    const Client = await loadPayJS();
    // The nonce lets Google's button styles (and anything else pay.js
    // injects) pass this frame's policy without 'unsafe-inline'.
    const client = new Client(this.nonce ? { environment: cfg.environment, nonce: this.nonce } : { environment: cfg.environment });
    let ready: { result?: unknown };
    try {
      ready = await client.isReadyToPay(isReadyToPayRequest(cfg));
    } catch (e) {
      throw new SealpayError("upstream_error", `Sealpay: Google Pay is not available (${statusCode(e)})`);
    }
    if (ready?.result !== true) return [];
    const o = this.opts!;
    const button: Record<string, unknown> = {
      onClick: () => this.pay(client, cfg),
      buttonColor: o.buttonColor,
      buttonType: o.buttonType,
      buttonSizeMode: "fill",
    };
    if (o.buttonRadius !== undefined) button.buttonRadius = o.buttonRadius;
    const lang = buttonLocales[this.locale];
    if (lang) button.buttonLocale = lang;
    this.container.replaceChildren(client.createButton(button));
    return ["google_pay"];
  }

  /**
   * pay runs on the shopper's click: loadPaymentData must be called within
   * the click (Google opens its sheet on that user activation), with the
   * settings and options already at hand.
   */
  private pay(client: PaymentsClient, cfg: GooglePayConfig): void {
    if (this.busy || !this.opts) return;
    this.busy = true;
    void client
      .loadPaymentData(paymentDataRequest(cfg, this.opts.transactionInfo))
      .then(
        (data) => this.tokenize(data),
        (e: unknown) => {
          if (statusCode(e) === "CANCELED") this.post({ type: "cancel", wallet: "google_pay" });
          else throw new SealpayError("upstream_error", `Sealpay: Google Pay failed (${statusCode(e)})`);
        },
      )
      .catch((e: unknown) => {
        const err = toSealpayError(e);
        this.post({ type: "error", error: { code: err.code, message: err.message } });
      })
      .finally(() => {
        this.busy = false;
      });
  }

  /** tokenize sends Google's encrypted token to the edge and posts only the vault token to the page. */
  private async tokenize(data: unknown): Promise<void> {
    const token = (data as { paymentMethodData?: { tokenizationData?: { type?: unknown; token?: unknown } } } | null)?.paymentMethodData?.tokenizationData;
    if (!token || token.type !== "DIRECT" || typeof token.token !== "string") {
      throw new SealpayError("upstream_error", "Sealpay: Google Pay returned no DIRECT token");
    }
    const res = await fetch("/v1/tokens", {
      method: "POST",
      credentials: "omit",
      headers: { authorization: `Bearer ${this.key}`, "content-type": "application/json" },
      body: JSON.stringify(this.save ? { wallet: "google_pay", payment_data: token.token, save: true } : { wallet: "google_pay", payment_data: token.token }),
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
    this.post({ type: "token", value: pickWalletToken({ SealpayError, pickToken }, body) });
  }
}

/** statusCode is Google's status code of a failed call (its PaymentsError), or "unknown". */
function statusCode(e: unknown): string {
  const c = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof c === "string" && /^[A-Z_]{1,40}$/.test(c) ? c : "unknown";
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
