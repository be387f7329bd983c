// Type tests for the published declarations: compiled by `tsc --noEmit` in
// `npm test`. Every @ts-expect-error line must be an error, or tsc fails.
import { loadSealpay, SealpayError, type CardBrand, type ErrorCode, type QRVerdict, type Sealpay, type Wallet, type WalletTokenResult } from "@sealpay/js";
import { load } from "@sealpay/js/pure";

async function main(): Promise<void> {
  const sp: Sealpay | null = await loadSealpay({ edge: "https://edge.example", key: "pk_test_123", locale: "zh-CN" });
  // @ts-expect-error: load resolves null on the server, so sp must be checked.
  sp.cardElement();
  if (!sp) return;

  // @ts-expect-error: unsupported locale.
  await load({ edge: "https://edge.example", key: "pk_test_123", locale: "xx" });
  // @ts-expect-error: key is required.
  await load({ edge: "https://edge.example" });

  const card = sp.cardElement({ style: { base: { fontSize: "16px", "::placeholder": { color: "#999" } }, invalid: { color: "red" } } });
  // @ts-expect-error: not an allowed style property.
  sp.cardElement({ style: { base: { backgroundImage: "url(x)" } } });
  // @ts-expect-error: not a style variant.
  sp.cardElement({ style: { hover: {} } });

  card.mount("#card");
  const off = card.on("change", (e) => {
    const complete: boolean = e.complete;
    const brand: CardBrand | null = e.brand;
    const code: ErrorCode | undefined = e.error?.code;
    void complete, brand, code;
  });
  off();
  card.on("focus", (e) => {
    const f: "number" | "expiry" | "cvc" | "name" = e.field;
    void f;
  });
  card.on("complete", (e) => {
    const b: CardBrand = e.brand;
    void b;
  });
  // @ts-expect-error: no such event.
  card.on("submit", () => {});
  // @ts-expect-error: the change payload has no "value" (the page never sees the number).
  card.on("change", (e) => e.value);

  const { token, card: meta } = await card.tokenize();
  await card.tokenize({ save: true });
  // @ts-expect-error: save is a boolean.
  await card.tokenize({ save: "yes" });
  const t: string = token;
  const last4: string = meta.last4;
  // @ts-expect-error: the token result never carries the number.
  meta.number;
  void t, last4;

  // @ts-expect-error: a brand outside the union.
  const bad: CardBrand = "visa-electron";
  void bad;
  // @ts-expect-error: an error code outside the union.
  const badCode: ErrorCode = "oops";
  void badCode;

  const env: string = await sp.seal({ number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" });
  // @ts-expect-error: exp_month is a number.
  await sp.seal({ number: "4242424242424242", exp_month: "12", exp_year: 2030 });
  void env;

  const v: QRVerdict = await sp.verifyQR("000201…", { expect: { amount: "12.50", currency: "THB" }, lang: "th" });
  if (v.status === "verified") {
    const name: string | undefined = v.merchant;
    void name;
  }
  // @ts-expect-error: not a verdict status.
  const s: QRVerdict["status"] = "ok";
  void s;

  const text: string | null = await sp.scanQR(new ImageData(1, 1));
  void text;

  const wallets = sp.walletButton({
    googlePay: { transactionInfo: { totalPriceStatus: "FINAL", totalPrice: "49.90", currencyCode: "EUR", countryCode: "DE" }, buttonType: "pay" },
  });
  wallets.mount("#wallet");
  wallets.on("ready", (e) => {
    const shown: Wallet[] = e.wallets;
    void shown;
  });
  wallets.on("token", (e) => {
    const t: string = e.token;
    const w: Wallet = e.wallet;
    const m: "PAN_ONLY" | "CRYPTOGRAM_3DS" = e.auth_method;
    const last: string = e.card.last4;
    // @ts-expect-error: the page never gets Google's token or the number.
    e.payment_data;
    void t, w, m, last;
  });
  // @ts-expect-error: no such event.
  wallets.on("paymentauthorized", () => {});
  // @ts-expect-error: the merchant's Google Pay account comes from the edge, not the page.
  sp.walletButton({ googlePay: { transactionInfo: { totalPriceStatus: "FINAL", totalPrice: "1", currencyCode: "EUR" }, merchantInfo: { merchantId: "x" } } });
  // @ts-expect-error: totalPriceStatus outside Google's values.
  sp.walletButton({ googlePay: { transactionInfo: { totalPriceStatus: "PAID", currencyCode: "EUR" } } });
  await wallets.update({ googlePay: { transactionInfo: { totalPriceStatus: "ESTIMATED", totalPrice: "12.00", currencyCode: "EUR" } } });
  await wallets.update({ save: true });
  // @ts-expect-error: save is a boolean.
  await wallets.update({ save: "yes" });

  const apple: WalletTokenResult = await sp.tokenizeWallet({
    wallet: "apple_pay",
    paymentData: { version: "EC_v1", data: "…", signature: "…", header: { ephemeralPublicKey: "…", publicKeyHash: "…", transactionId: "…" } },
  });
  void apple;
  await sp.tokenizeWallet({ wallet: "google_pay", paymentData: "{\"protocolVersion\":\"ECv2\"}" });
  // @ts-expect-error: Apple Pay's paymentData is an object, not a string.
  await sp.tokenizeWallet({ wallet: "apple_pay", paymentData: "…" });
  // @ts-expect-error: not a wallet.
  await sp.tokenizeWallet({ wallet: "paypal", paymentData: "…" });
  const walletCode: ErrorCode = "wallet_signature_invalid";
  void walletCode;

  try {
    await card.tokenize();
  } catch (e) {
    if (e instanceof SealpayError) {
      const c: ErrorCode = e.code;
      void c;
    }
  }
}
void main;
