/**
 * Public types of `@sealpay/js`. The runtime is small; the types carry the
 * contract: brand ids, error codes, events and the QR verdict.
 */

/** A card brand id, the same string everywhere (JSON, JS, CLI). */
export type CardBrand =
  | "visa"
  | "mastercard"
  | "amex"
  | "discover"
  | "diners"
  | "jcb"
  | "unionpay"
  | "maestro"
  | "mir"
  | "rupay"
  | "elo"
  | "hipercard"
  | "troy"
  | "verve"
  | "dankort"
  | "bccard";

/** Every stable error code a Sealpay error may carry (`error.code`). */
export type ErrorCode =
  | "invalid_envelope"
  | "unsupported_version"
  | "unknown_key"
  | "decrypt_failed"
  | "envelope_expired"
  | "envelope_not_yet_valid"
  | "wrong_merchant"
  | "wrong_origin"
  | "replayed"
  | "invalid_card_number"
  | "unsupported_brand"
  | "invalid_expiry"
  | "card_expired"
  | "invalid_cvc"
  | "qr_malformed"
  | "qr_bad_crc"
  | "qr_unsigned"
  | "qr_bad_signature"
  | "qr_unknown_key"
  | "qr_revoked"
  | "qr_expired"
  | "qr_replayed"
  | "qr_mismatch"
  | "qr_suspicious_url"
  | "unauthorized"
  | "forbidden_origin"
  | "relay_host_forbidden"
  | "relay_route_forbidden"
  | "rate_limited"
  | "not_found"
  | "not_acceptable"
  | "payload_too_large"
  | "bad_request"
  | "upstream_error"
  | "idempotency_mismatch"
  | "idempotency_in_progress"
  | "wallet_token_malformed"
  | "wallet_signature_invalid"
  | "wallet_key_expired"
  | "wallet_message_expired"
  | "wallet_recipient_mismatch"
  | "wallet_key_unknown"
  | "wallet_decrypt_failed"
  | "wallet_not_enabled"
  | "insecure_key_file"
  | "unsealed_card_number"
  | "internal";

/** A locale the hosted fields and QR verdicts are translated into. */
export type Locale =
  | "en"
  | "zh-CN"
  | "ja"
  | "ko"
  | "ru"
  | "es"
  | "pt-BR"
  | "de"
  | "fr"
  | "id"
  | "th"
  | "vi";

/** Options of {@link loadSealpay} and `load`. */
export interface LoadOptions {
  /** The edge's origin, e.g. `"https://edge.example"` (https, or http on localhost). */
  edge: string;
  /** The merchant's publishable key, `pk_…`. Never a secret `sk_…` key. */
  key: string;
  /** Default locale of the hosted fields and QR messages; `"auto"` uses the browser's. */
  locale?: Locale | "auto";
  /**
   * The merchant id sealed into envelopes. Optional: by default the edge
   * tells it (the `merchant` member of `GET /v1/keys?key=pk_…`).
   */
  merchant?: string;
}

/** An error with a stable {@link ErrorCode}; messages never hold card data. */
export interface SealpayErrorInfo {
  code: ErrorCode;
  message: string;
}

/** CSS properties a style variant may set. Anything else is refused. */
export interface StyleProperties {
  color?: string;
  backgroundColor?: string;
  caretColor?: string;
  fontFamily?: string;
  fontSize?: string;
  fontStyle?: string;
  fontVariant?: string;
  fontWeight?: string | number;
  letterSpacing?: string;
  lineHeight?: string | number;
  padding?: string;
  textAlign?: "left" | "right" | "center" | "start" | "end";
  textDecoration?: string;
  textShadow?: string;
  textTransform?: "none" | "uppercase" | "lowercase" | "capitalize";
  borderColor?: string;
  borderRadius?: string;
  borderStyle?: string;
  borderWidth?: string;
}

/** A style variant: properties plus the few pseudo-classes allowed. */
export interface StyleVariant extends StyleProperties {
  ":hover"?: StyleProperties;
  ":focus"?: StyleProperties;
  ":disabled"?: StyleProperties;
  "::placeholder"?: StyleProperties;
  "::selection"?: StyleProperties;
}

/**
 * The style object of the hosted fields. Values are checked against a
 * whitelist: no `url()`, no `expression()`, no `var()`, no `@`, `;`, braces
 * or backslashes.
 */
export interface Style {
  /** Applied to every input. */
  base?: StyleVariant;
  /** Applied to a complete, valid input. */
  complete?: StyleVariant;
  /** Applied to an empty input. */
  empty?: StyleVariant;
  /** Applied to an input that cannot become valid. */
  invalid?: StyleVariant;
}

/** Options of {@link Sealpay.cardElement}. */
export interface CardElementOptions {
  style?: Style;
  locale?: Locale | "auto";
  /** Hide the cardholder name input (it is shown by default). */
  hideName?: boolean;
}

/** The card fields inside the hosted frame. */
export type CardField = "number" | "expiry" | "cvc" | "name";

/** Payload of the `change` event. */
export interface ChangeEvent {
  /** All fields are filled in and valid. */
  complete: boolean;
  /** Every field is empty. */
  empty: boolean;
  /** The brand detected from the number so far, or `null`. */
  brand: CardBrand | null;
  /** The first problem to show, localized. */
  error?: SealpayErrorInfo;
}

/** Payload of the `focus` and `blur` events. */
export interface FocusEvent {
  field: CardField;
}

/** Payload of the `complete` event: every field just became valid. */
export interface CompleteEvent {
  brand: CardBrand;
}

/** The events of a {@link CardElement}, by name. */
export interface CardElementEventMap {
  ready: Record<string, never>;
  change: ChangeEvent;
  focus: FocusEvent;
  blur: FocusEvent;
  complete: CompleteEvent;
  error: SealpayErrorInfo;
}

/** Card metadata returned with a token; never the number or CVC. */
export interface CardMetadata {
  brand: CardBrand;
  last4: string;
  exp_month: number;
  exp_year: number;
  /** A keyed fingerprint, `fp_…`: the same card gives the same value for one merchant. */
  fingerprint: string;
}

/** The result of {@link CardElement.tokenize}. */
export interface TokenResult {
  /** `tok_…`, to send to the merchant's server. */
  token: string;
  card: CardMetadata;
}

/** Options of {@link CardElement.tokenize}. */
export interface TokenizeOptions {
  /**
   * The shopper asked to save the card for later payments: the token is
   * reusable. Without it the token is single-use: it dies after its first
   * use or after the edge's `single_use_ttl` (15 minutes by default).
   */
  save?: boolean;
}

/** The hosted card fields: one iframe served by the edge. */
export interface CardElement {
  /** Insert the frame into the element (or the first match of a CSS selector). */
  mount(target: string | HTMLElement): void;
  /** Listen to an event; returns a function that removes the listener. */
  on<K extends keyof CardElementEventMap>(
    event: K,
    handler: (event: CardElementEventMap[K]) => void,
  ): () => void;
  /** Remove a listener added with {@link CardElement.on}. */
  off<K extends keyof CardElementEventMap>(
    event: K,
    handler: (event: CardElementEventMap[K]) => void,
  ): void;
  /**
   * Seal the card in the frame and exchange it for a token at the edge:
   * single-use unless `save` says the shopper asked to save the card.
   */
  tokenize(options?: TokenizeOptions): Promise<TokenResult>;
  /** Move focus to the first field. */
  focus(): void;
  /** Empty every field. */
  clear(): void;
  /** Remove the frame from the page; it may be mounted again. */
  unmount(): void;
  /** Remove the frame and every listener; the element cannot be used again. */
  destroy(): void;
}

/** A wallet whose payment tokens the edge opens into the vault. */
export type Wallet = "google_pay" | "apple_pay";

/**
 * How a wallet token authenticates the card, in Google Pay's terms:
 * `PAN_ONLY` is a card number on file with the wallet; `CRYPTOGRAM_3DS` is
 * a device token with a one-time cryptogram (every Apple Pay token).
 */
export type WalletAuthMethod = "PAN_ONLY" | "CRYPTOGRAM_3DS";

/**
 * A vault token made from a wallet's payment token: the same shape as a
 * card's {@link TokenResult}, plus the wallet and how it authenticated the
 * card. The number (or device number) and any cryptogram stay in the vault.
 */
export interface WalletTokenResult extends TokenResult {
  wallet: Wallet;
  auth_method: WalletAuthMethod;
}

/**
 * What the Google Pay sheet shows the shopper: Google Pay's
 * `TransactionInfo` (https://developers.google.com/pay/api/web/reference/request-objects#TransactionInfo),
 * the members the frame passes on. The frame checks every value.
 */
export interface GooglePayTransactionInfo {
  /** `FINAL` needs `totalPrice`; `ESTIMATED` too; `NOT_CURRENTLY_KNOWN` has none. */
  totalPriceStatus: "FINAL" | "ESTIMATED" | "NOT_CURRENTLY_KNOWN";
  /** Decimal amount, e.g. `"49.90"`: digits, at most one point and two decimals. */
  totalPrice?: string;
  /** ISO 4217 alphabetic code, e.g. `"BRL"`. */
  currencyCode: string;
  /** ISO 3166-1 alpha-2 country of the transaction, e.g. `"BR"` (needed in the EEA). */
  countryCode?: string;
  /** Label shown beside the total, at most 64 characters. */
  totalPriceLabel?: string;
  /** `COMPLETE_IMMEDIATE_PURCHASE` makes the sheet's button "Pay" rather than "Continue". */
  checkoutOption?: "DEFAULT" | "COMPLETE_IMMEDIATE_PURCHASE";
}

/** The Google Pay button in the frame: the transaction, and the button's look (Google's `ButtonOptions`). */
export interface GooglePayButtonOptions {
  transactionInfo: GooglePayTransactionInfo;
  /** Google's button colours; `"default"` lets Google choose. */
  buttonColor?: "default" | "black" | "white";
  /** The word on the button. Default `"buy"`. */
  buttonType?: "book" | "buy" | "checkout" | "donate" | "order" | "pay" | "plain" | "subscribe";
  /** Corner radius in pixels, 0–24. */
  buttonRadius?: number;
}

/**
 * Options of {@link Sealpay.walletButton}. The merchant's Google Pay
 * merchant id and name, the card networks and auth methods, and the key
 * Google encrypts to all come from the edge (`GET /v1/wallets`), never from
 * the page.
 */
export interface WalletButtonOptions {
  /** Offer Google Pay: the frame loads Google's pay.js and shows its button if the shopper can pay. */
  googlePay: GooglePayButtonOptions;
  /** Height of the frame in CSS pixels, 40–100 (Google's button fills it). Default 48. */
  height?: number;
  /** Language of the button; `"auto"` uses the browser's. Defaults to the locale given to `load`. */
  locale?: Locale | "auto";
  /**
   * The shopper asked to save the card (a box they ticked): the token is
   * reusable. Without it the token is single-use, as a card element's.
   * Change it with {@link WalletButton.update} when the box changes.
   */
  save?: boolean;
}

/** Payload of a wallet button's `ready` event. */
export interface WalletReadyEvent {
  /** The wallets the frame shows a button for: empty when the shopper cannot pay with any (hide the container). */
  wallets: Wallet[];
}

/** The events of a {@link WalletButton}, by name. */
export interface WalletButtonEventMap {
  /** The frame checked the wallets; `wallets` lists the buttons it shows. */
  ready: WalletReadyEvent;
  /** The shopper paid with a wallet and the edge made a vault token of it. */
  token: WalletTokenResult;
  /** The shopper closed the wallet's sheet without paying. */
  cancel: Record<string, never>;
  /** The wallet or the edge failed (e.g. `upstream_error`, a `wallet_…` code): show another way to pay. */
  error: SealpayErrorInfo;
}

/**
 * Wallet buttons in a frame served by the edge. The shopper's choice goes
 * from the wallet to the frame, from the frame to the edge; the page
 * receives only the `token` event.
 */
export interface WalletButton {
  /** Insert the frame into the element (or the first match of a CSS selector). */
  mount(target: string | HTMLElement): void;
  /** Listen to an event; returns a function that removes the listener. */
  on<K extends keyof WalletButtonEventMap>(event: K, handler: (event: WalletButtonEventMap[K]) => void): () => void;
  /** Remove a listener added with {@link WalletButton.on}. */
  off<K extends keyof WalletButtonEventMap>(event: K, handler: (event: WalletButtonEventMap[K]) => void): void;
  /**
   * Change what the sheet shows (say, the cart's new total) or whether
   * the shopper saves the card; resolves once the frame has it.
   */
  update(options: { googlePay?: { transactionInfo: GooglePayTransactionInfo }; save?: boolean }): Promise<void>;
  /** Remove the frame from the page; it may be mounted again. */
  unmount(): void;
  /** Remove the frame and every listener; the button cannot be used again. */
  destroy(): void;
}

/**
 * Apple Pay's encrypted payment data, `PKPaymentToken.paymentData` (in
 * Apple Pay JS, `event.payment.token.paymentData` of
 * `onpaymentauthorized`), passed on as Apple gives it.
 */
export interface ApplePayPaymentData {
  version: "EC_v1" | (string & {});
  data: string;
  signature: string;
  header: {
    ephemeralPublicKey: string;
    publicKeyHash: string;
    transactionId: string;
    applicationData?: string;
  };
}

/** What {@link Sealpay.tokenizeWallet} takes: a wallet token the merchant's own wallet session collected. */
export type WalletTokenInput =
  | {
      wallet: "apple_pay";
      /** `event.payment.token.paymentData` from your `ApplePaySession`. */
      paymentData: ApplePayPaymentData;
    }
  | {
      wallet: "google_pay";
      /**
       * `paymentMethodData.tokenizationData.token` from your own
       * `loadPaymentData`, tokenized `DIRECT` to the edge's key (prefer
       * {@link Sealpay.walletButton}, which keeps it out of the page).
       */
      paymentData: string;
    };

/** The card object of direct-mode {@link Sealpay.seal}. */
export interface CardInput {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc?: string;
  name?: string;
}

/** Options of {@link Sealpay.seal}. */
export interface SealOptions {
  /** Envelope lifetime in seconds (at most 3600; default 600). */
  ttl?: number;
}

/** What the checkout expects a QR code to ask for. */
export interface QRExpectation {
  /** Amount as a decimal string, e.g. `"12.50"`. */
  amount?: string;
  /** ISO 4217 currency, numeric (`"764"`) or alphabetic (`"THB"`). */
  currency?: string;
  /** The payee the shopper means to pay (merchant id or name on the code). */
  merchant?: string;
  /** Domains the merchant uses, for lookalike checks on URL codes. */
  domains?: string[];
}

/** Options of {@link Sealpay.verifyQR}. */
export interface VerifyQROptions {
  expect?: QRExpectation;
  /** Language of the reasons' messages. */
  lang?: Locale;
}

/** One reason behind a QR verdict. */
export interface QRReason {
  code: ErrorCode;
  /** Narrows the code: "amount", "currency", "payee", "lookalike", "signature"… */
  detail?: string;
  /** Localized text for the shopper. */
  message: string;
}

/** The outcome of checking a payment QR code (the same JSON as the edge's `POST /v1/qr/verify`). */
export interface QRVerdict {
  /** `verified`: signed by a certified merchant; `unsigned`: well-formed but nobody vouches; `rejected`: do not pay. */
  status: "verified" | "unsigned" | "rejected";
  /** The one line to show, localized. */
  headline: string;
  /** Empty when verified; one `qr_unsigned` when unsigned; at least one otherwise. */
  reasons: QRReason[];
  /**
   * Findings that do not change the status, in the shape of reasons; only on
   * a verified code. This version defines none (a certificate that binds no
   * payee account now rejects the code), but show any that appear. Absent
   * when there are none.
   */
  warnings?: QRReason[];
  /** The certified display name (only when verified). */
  merchant?: string;
  /** The certified merchant id (only when verified). */
  merchant_id?: string;
  /** Payment scheme id: "pix", "promptpay", "upi", "url"… */
  scheme?: string;
  /** The payee the code names; nobody vouches for it unless verified. */
  payee?: string;
  amount?: string;
  currency?: string;
  reference?: string;
  /** Signed expiry, Unix seconds. */
  expires_at?: number;
  /** Language of the messages. */
  lang: string;
}

/** Something {@link Sealpay.scanQR} can read a QR code from. */
export type QRSource =
  | HTMLVideoElement
  | HTMLImageElement
  | HTMLCanvasElement
  | ImageBitmap
  | ImageData;

/** A decoder for {@link Sealpay.scanQR}: RGBA pixels in, text (or null) out. */
export type QRDecoder = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => string | null;

/** Options of {@link Sealpay.scanQR}. */
export interface ScanQROptions {
  /** Use this decoder instead of BarcodeDetector or the edge's fallback. */
  decoder?: QRDecoder;
}

/** A loaded Sealpay: the entry point to hosted fields, sealing and QR checks. */
export interface Sealpay {
  /** The JS package's version. */
  readonly version: string;
  /** Create hosted card fields (an iframe from the edge). PCI SAQ A. */
  cardElement(options?: CardElementOptions): CardElement;
  /**
   * Direct mode: seal a card in this page. Loads the WebAssembly module here,
   * so the page's CSP needs `'wasm-unsafe-eval'` and the page handles the
   * card number (PCI SAQ A-EP). Prefer {@link Sealpay.cardElement}.
   */
  seal(card: CardInput, options?: SealOptions): Promise<string>;
  /** Check a payment QR payload in the edge's frame against the pinned trust bundle. */
  verifyQR(payload: string, options?: VerifyQROptions): Promise<QRVerdict>;
  /** Read a QR code's text from a video frame or an image; `null` if none is found. */
  scanQR(source: QRSource, options?: ScanQROptions): Promise<string | null>;
  /**
   * Wallet buttons (Google Pay) in a frame from the edge. The frame loads
   * Google's pay.js itself, has Google encrypt the card to the edge's key
   * and exchanges the result for a vault token: the page, which needs no
   * Google origin in its CSP, sees only the `token` event. PCI SAQ A.
   */
  walletButton(options: WalletButtonOptions): WalletButton;
  /**
   * Exchange a wallet token your own wallet session collected (Apple Pay's
   * `paymentData`) for a vault token. The token is encrypted to the edge's
   * wallet key; this page never sees the card number.
   */
  tokenizeWallet(input: WalletTokenInput): Promise<WalletTokenResult>;
}
