// Wallets from the page's side (walletButton, tokenizeWallet) and the
// wallet frame's Google Pay logic (src/frame/googlepay.ts) against a fake
// PaymentsClient. The Chromium test (e2e/wallet.test.mjs) runs the whole
// flow with a stand-in for Google's pay.js.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundleSource, fakeBrowser, fresh, jsonResponse, keySet } from "./helpers.mjs";

const opts = { edge: "https://edge.example", key: "pk_test_abc", locale: "de" };
const PAN = "4111111111111111";
const token = "tok_" + "a1B2".repeat(5) + "xy";
const transactionInfo = { totalPriceStatus: "FINAL", totalPrice: "49.90", currencyCode: "EUR", countryCode: "DE" };

/** A vault token answer as the edge gives it, with members the page must not get. */
const answer = (extra = {}) => ({
  token,
  card: { brand: "visa", last4: "1111", exp_month: 12, exp_year: 2030, fingerprint: "fp_x", number: PAN },
  wallet: "google_pay",
  auth_method: "PAN_ONLY",
  cryptogram: "AAAAAAAAAA",
  ...extra,
});

async function mountedButton(b, options = { googlePay: { transactionInfo } }) {
  const { load } = await fresh("esm/pure.mjs");
  const sp = await load(opts);
  const button = sp.walletButton(options);
  button.mount("#card");
  const iframe = b.mountPoint.children[0];
  const channel = new URL(iframe.src).searchParams.get("channel");
  const ev = (data, origin = "https://edge.example", source = iframe.contentWindow) => b.dispatch({ origin, source, data: { sealpay: 1, channel, ...data } });
  return { sp, button, iframe, ev };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

test("walletButton opens a wallet frame that may use the Payment Request API", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { iframe } = await mountedButton(b);
    const u = new URL(iframe.src);
    assert.equal(u.origin + u.pathname, "https://edge.example/v1/frame.html");
    assert.equal(u.searchParams.get("mode"), "wallet");
    assert.equal(u.searchParams.get("locale"), "de");
    assert.equal(u.searchParams.get("style"), null);
    assert.equal(iframe.allow, "payment");
    assert.match(iframe.style.cssText, /height:48px/);
  } finally {
    b.restore();
  }
});

test("the button's options go to the frame once it is ready; its answer is the ready event", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { button, ev } = await mountedButton(b, { googlePay: { transactionInfo, buttonType: "pay" }, height: 56 });
    const ready = [];
    button.on("ready", (e) => ready.push(e));
    assert.equal(b.posted.length, 0, "nothing is posted before the frame is ready");
    ev({ type: "ready", version: "test" });
    await tick();
    assert.equal(b.posted.length, 1);
    const { data, target } = b.posted[0];
    assert.equal(target, "https://edge.example");
    assert.deepEqual(data.command, { type: "wallet", googlePay: { transactionInfo, buttonType: "pay" } });
    ev({ type: "result", id: data.id, ok: true, value: { wallets: ["google_pay", "bogus"] } });
    await tick();
    assert.deepEqual(ready, [{ wallets: ["google_pay"] }]);

    // update sends the new transaction, keeping the button's look.
    const p = button.update({ googlePay: { transactionInfo: { ...transactionInfo, totalPrice: "12.00" } } });
    await tick();
    const upd = b.posted[1].data;
    assert.deepEqual(upd.command, { type: "wallet", googlePay: { transactionInfo: { ...transactionInfo, totalPrice: "12.00" }, buttonType: "pay" } });
    ev({ type: "result", id: upd.id, ok: true, value: { wallets: ["google_pay"] } });
    await p;
  } finally {
    b.restore();
  }
});

test("save goes to the frame only when the shopper saves the card, and follows update", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { button, ev } = await mountedButton(b, { googlePay: { transactionInfo }, save: true });
    ev({ type: "ready", version: "test" });
    await tick();
    assert.equal(b.posted[0].data.command.save, true);
    ev({ type: "result", id: b.posted[0].data.id, ok: true, value: { wallets: ["google_pay"] } });
    const p = button.update({ save: false });
    await tick();
    assert.deepEqual(b.posted[1].data.command, { type: "wallet", googlePay: { transactionInfo } }, "save: false sends no save");
    ev({ type: "result", id: b.posted[1].data.id, ok: true, value: { wallets: ["google_pay"] } });
    await p;
  } finally {
    b.restore();
  }
});

test("a token event carries only the vault token, card metadata, wallet and auth method", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { button, ev, iframe } = await mountedButton(b);
    const seen = [];
    button.on("token", (e) => seen.push(e));
    const errors = [];
    button.on("error", (e) => errors.push(e));
    // From another origin or window: ignored.
    ev({ type: "token", value: answer() }, "https://evil.example");
    ev({ type: "token", value: answer() }, "https://edge.example", {});
    assert.equal(seen.length, 0);
    ev({ type: "token", value: answer() });
    // assert.ok first: a failed deepEqual would print the number it guards against.
    assert.ok(!JSON.stringify(seen).includes(PAN), "a token event passed the card number on");
    assert.ok(seen[0]?.token === token, "the token event has another token");
    assert.deepEqual({ ...seen[0], token: undefined }, {
      token: undefined,
      card: { brand: "visa", last4: "1111", exp_month: 12, exp_year: 2030, fingerprint: "fp_x" },
      wallet: "google_pay",
      auth_method: "PAN_ONLY",
    });
    // An answer without a wallet is refused, as an error event.
    ev({ type: "token", value: answer({ wallet: "paypal" }) });
    assert.equal(seen.length, 1);
    assert.deepEqual(errors.map((e) => e.code), ["upstream_error"]);
    void iframe;
  } finally {
    b.restore();
  }
});

test("cancel and error events reach the page; a refused configuration is an error event", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { button, ev } = await mountedButton(b);
    const got = [];
    for (const n of ["ready", "cancel", "error"]) button.on(n, (e) => got.push([n, e]));
    ev({ type: "cancel", wallet: "google_pay" });
    ev({ type: "error", error: { code: "wallet_signature_invalid", message: "bad signature" } });
    ev({ type: "ready", version: "test" });
    await tick();
    ev({ type: "result", id: b.posted[0].data.id, ok: false, error: { code: "bad_request", message: "Sealpay: googlePay.transactionInfo.currencyCode must be…" } });
    await tick();
    assert.deepEqual(got.map(([n, e]) => [n, e.code]), [["cancel", undefined], ["error", "wallet_signature_invalid"], ["error", "bad_request"]]);
  } finally {
    b.restore();
  }
});

test("misuse of walletButton throws usage errors", async () => {
  const b = fakeBrowser({ fetch: () => jsonResponse(200, keySet) });
  try {
    const { load, SealpayUsageError } = await fresh("esm/pure.mjs");
    const sp = await load(opts);
    assert.throws(() => sp.walletButton(), SealpayUsageError);
    assert.throws(() => sp.walletButton({}), /googlePay/);
    assert.throws(() => sp.walletButton({ googlePay: { transactionInfo }, height: 30 }), /height/);
    assert.throws(() => sp.walletButton({ googlePay: { transactionInfo }, locale: "xx" }), /locale/);
    const button = sp.walletButton({ googlePay: { transactionInfo } });
    assert.throws(() => button.on("submit", () => {}), SealpayUsageError);
    await assert.rejects(button.update({}), /googlePay/);
    await assert.rejects(button.update({ googlePay: {} }), /transactionInfo/);
    await assert.rejects(button.update({ save: "yes" }), /save must be true or false/);
    assert.throws(() => sp.walletButton({ googlePay: { transactionInfo }, save: 1 }), /save must be true or false/);
    button.mount("#card");
    assert.throws(() => button.mount("#card"), /already mounted/);
    button.destroy();
    assert.throws(() => button.mount("#card"), /destroyed/);
    assert.equal(b.listeners.get("message").size, 0);
  } finally {
    b.restore();
  }
});

test("tokenizeWallet posts an Apple Pay token to the edge and keeps only the token fields", async () => {
  const paymentData = { version: "EC_v1", data: "ZGF0YQ==", signature: "c2ln", header: { ephemeralPublicKey: "ZXBr", publicKeyHash: "aGFzaA==", transactionId: "ab12" } };
  const b = fakeBrowser({
    fetch: (url, init, n) => (n === 1 ? jsonResponse(200, keySet) : jsonResponse(201, answer({ wallet: "apple_pay", auth_method: "CRYPTOGRAM_3DS" }))),
  });
  try {
    const { load } = await fresh("esm/pure.mjs");
    const sp = await load(opts);
    const r = await sp.tokenizeWallet({ wallet: "apple_pay", paymentData });
    const call = b.calls[1];
    assert.equal(call.url, "https://edge.example/v1/tokens");
    assert.equal(call.init.method, "POST");
    assert.equal(call.init.credentials, "omit");
    assert.equal(call.init.headers.authorization, "Bearer pk_test_abc");
    assert.deepEqual(JSON.parse(call.init.body), { wallet: "apple_pay", payment_data: paymentData });
    assert.ok(!JSON.stringify(r).includes(PAN) && !JSON.stringify(r).includes("AAAAAAAAAA"), "tokenizeWallet passed the number or cryptogram on");
    assert.deepEqual(Object.keys(r).sort(), ["auth_method", "card", "token", "wallet"]);
    assert.equal(r.wallet, "apple_pay");
    assert.equal(r.auth_method, "CRYPTOGRAM_3DS");
  } finally {
    b.restore();
  }
});

test("tokenizeWallet rejects with the edge's code, and misuse with a usage error", async () => {
  const b = fakeBrowser({
    fetch: (url, init, n) => (n === 1 ? jsonResponse(200, keySet) : jsonResponse(422, { error: { code: "wallet_signature_invalid", message: "edge: the wallet token's signature is not valid" } })),
  });
  try {
    const { load, SealpayUsageError } = await fresh("esm/pure.mjs");
    const sp = await load(opts);
    await assert.rejects(sp.tokenizeWallet({ wallet: "google_pay", paymentData: "{}" }), { name: "SealpayError", code: "wallet_signature_invalid" });
    for (const bad of [undefined, {}, { wallet: "apple_pay", paymentData: "a string" }, { wallet: "google_pay", paymentData: {} }, { wallet: "paypal", paymentData: {} }]) {
      await assert.rejects(sp.tokenizeWallet(bad), SealpayUsageError, JSON.stringify(bad));
    }
    assert.equal(b.calls.length, 2, "misuse sends nothing");
  } finally {
    b.restore();
  }
});

// The frame's side.

const settings = {
  environment: "TEST",
  merchant_id: "12345678901234567890",
  merchant_name: "Shop Example",
  protocol_version: "ECv2",
  public_key: "BOdoXP+9Aq473SnGwg3JU1aiNpsd9vH2ognq4PtDtlLGa3Kj8TPf+jaQNPyDSkh3JUhiS0KyrrlWhAgNZKHYF2Y=",
  allowed_card_networks: ["VISA", "MASTERCARD"],
  allowed_auth_methods: ["PAN_ONLY", "CRYPTOGRAM_3DS"],
};

test("the frame checks the page's Google Pay options", async () => {
  const { checkOptions } = await bundleSource("frame/googlepay.ts");
  assert.deepEqual(checkOptions({ transactionInfo }), { transactionInfo, buttonColor: "default", buttonType: "buy" });
  assert.deepEqual(checkOptions({ transactionInfo: { totalPriceStatus: "NOT_CURRENTLY_KNOWN", currencyCode: "USD" }, buttonColor: "black", buttonRadius: 8 }),
    { transactionInfo: { totalPriceStatus: "NOT_CURRENTLY_KNOWN", currencyCode: "USD" }, buttonColor: "black", buttonType: "buy", buttonRadius: 8 });
  const ti = (o) => ({ transactionInfo: { ...transactionInfo, ...o } });
  const bad = [
    [null, /options must be an object/],
    [{}, /transactionInfo must be an object/],
    [{ transactionInfo, merchantInfo: { merchantId: "x" } }, /merchantInfo is not an option/],
    [{ transactionInfo, allowedPaymentMethods: [] }, /allowedPaymentMethods is not an option/],
    [ti({ totalPrice: "1,00" }), /totalPrice/],
    [ti({ totalPrice: 49.9 }), /totalPrice/],
    [ti({ totalPrice: "01.00" }), /totalPrice/],
    [ti({ totalPrice: "1.001" }), /totalPrice/],
    [ti({ totalPriceStatus: "FINAL", totalPrice: undefined }), /totalPrice/],
    [ti({ currencyCode: "eur" }), /currencyCode/],
    [ti({ countryCode: "DEU" }), /countryCode/],
    [ti({ totalPriceLabel: "x".repeat(65) }), /totalPriceLabel/],
    [ti({ totalPriceLabel: "a\nb" }), /totalPriceLabel/],
    [ti({ totalPriceStatus: "PAID" }), /totalPriceStatus/],
    [ti({ displayItems: [] }), /displayItems is not supported/],
    [{ transactionInfo, buttonColor: "red" }, /buttonColor/],
    [{ transactionInfo, buttonType: "long" }, /buttonType/],
    [{ transactionInfo, buttonRadius: 99 }, /buttonRadius/],
  ];
  for (const [o, re] of bad) assert.throws(() => checkOptions(o), (e) => e.code === "bad_request" && re.test(e.message), JSON.stringify(o));
});

test("the frame checks the edge's Google Pay settings", async () => {
  const { checkConfig } = await bundleSource("frame/googlepay.ts");
  assert.deepEqual(checkConfig(settings), settings);
  for (const change of [
    { environment: "SANDBOX" },
    { protocol_version: "ECv1" },
    { public_key: "not base64 at all!" },
    { allowed_card_networks: [] },
    { allowed_card_networks: ["VISA", "PAYPAL"] },
    { allowed_auth_methods: ["PAN"] },
    { environment: "PRODUCTION", merchant_id: undefined },
  ]) {
    assert.throws(() => checkConfig({ ...settings, ...change }), { code: "upstream_error" }, JSON.stringify(change));
  }
});

test("the payment data request tokenizes DIRECT to the edge's key, with the edge's merchant", async () => {
  const { paymentDataRequest, isReadyToPayRequest } = await bundleSource("frame/googlepay.ts");
  const card = { type: "CARD", parameters: { allowedAuthMethods: ["PAN_ONLY", "CRYPTOGRAM_3DS"], allowedCardNetworks: ["VISA", "MASTERCARD"] } };
  assert.deepEqual(isReadyToPayRequest(settings), { apiVersion: 2, apiVersionMinor: 0, allowedPaymentMethods: [card] });
  assert.deepEqual(paymentDataRequest(settings, transactionInfo), {
    apiVersion: 2,
    apiVersionMinor: 0,
    merchantInfo: { merchantId: "12345678901234567890", merchantName: "Shop Example" },
    allowedPaymentMethods: [{ ...card, tokenizationSpecification: { type: "DIRECT", parameters: { protocolVersion: "ECv2", publicKey: settings.public_key } } }],
    transactionInfo,
  });
});

/** fakeGoogle installs a PaymentsClient that records its calls, as pay.js would define it. */
function fakeGoogle({ ready = true, pay }) {
  const calls = [];
  class PaymentsClient {
    constructor(o) { calls.push(["new", o]); }
    async isReadyToPay(r) { calls.push(["isReadyToPay", r]); return { result: ready }; }
    loadPaymentData(r) { calls.push(["loadPaymentData", r]); return pay(r); }
    createButton(o) { calls.push(["createButton", o]); return { tagName: "BUTTON", click: () => o.onClick() }; }
  }
  globalThis.google = { payments: { api: { PaymentsClient } } };
  return calls;
}

/** frameSide runs googlepay.ts's GooglePay in a fake browser, pay.js "loading" as soon as its script is added. */
async function frameSide({ config = settings, ready, pay, edge }) {
  const b = fakeBrowser({ origin: "https://edge.example", fetch: edge });
  const { GooglePay, PAY_JS } = await bundleSource("frame/googlepay.ts", { fresh: true });
  const calls = fakeGoogle({ ready, pay });
  const scripts = [];
  b.appendedScripts = scripts;
  const origAppend = globalThis.document.head.appendChild.bind(globalThis.document.head);
  globalThis.document.head.appendChild = (el) => {
    scripts.push(el.src);
    origAppend(el);
    setTimeout(() => el.onload(), 0);
    return el;
  };
  const container = { children: [], replaceChildren(...c) { this.children = c; } };
  const posted = [];
  const gp = new GooglePay("pk_test_abc", "de", "bm9uY2Vub25jZW5vbmNl", container, Promise.resolve(config), (e) => posted.push(e));
  const restore = () => {
    delete globalThis.google;
    b.restore();
  };
  return { b, gp, calls, scripts, container, posted, PAY_JS, restore };
}

test("the frame shows Google's button only when the shopper can pay, and loads pay.js only for a merchant with Google Pay", async () => {
  let f = await frameSide({ config: null, pay: () => {} });
  try {
    assert.deepEqual(await f.gp.configure({ transactionInfo }, false), []);
    assert.deepEqual(f.scripts, [], "pay.js is not loaded for a merchant without Google Pay");
  } finally {
    f.restore();
  }
  f = await frameSide({ ready: false, pay: () => {} });
  try {
    assert.deepEqual(await f.gp.configure({ transactionInfo }, false), []);
    assert.deepEqual(f.scripts, [f.PAY_JS]);
    assert.equal(f.PAY_JS, "https://pay.google.com/gp/p/js/pay.js");
    assert.deepEqual(f.calls.map((c) => c[0]), ["new", "isReadyToPay"]);
    assert.equal(f.container.children.length, 0);
  } finally {
    f.restore();
  }
});

test("a click loads the payment data, the frame tokenizes Google's token and posts only the vault token", async () => {
  const gpayToken = JSON.stringify({ protocolVersion: "ECv2", signature: "c2ln", intermediateSigningKey: {}, signedMessage: "{}" });
  const f = await frameSide({
    pay: async () => ({ apiVersion: 2, paymentMethodData: { type: "CARD", info: { cardNetwork: "VISA", cardDetails: "1111" }, tokenizationData: { type: "DIRECT", token: gpayToken } } }),
    edge: () => jsonResponse(201, answer()),
  });
  try {
    assert.deepEqual(await f.gp.configure({ transactionInfo, buttonColor: "black" }, false), ["google_pay"]);
    assert.deepEqual(f.calls[0], ["new", { environment: "TEST", nonce: "bm9uY2Vub25jZW5vbmNl" }], "the client gets the frame's nonce");
    const [, opts] = f.calls.find((c) => c[0] === "createButton");
    assert.deepEqual({ ...opts, onClick: typeof opts.onClick }, { onClick: "function", buttonColor: "black", buttonType: "buy", buttonSizeMode: "fill", buttonLocale: "de" });
    // An update changes what the next click asks for, and the shopper saves the card.
    await f.gp.configure({ transactionInfo: { ...transactionInfo, totalPrice: "5.00" } }, true);
    f.container.children[0].click();
    f.container.children[0].click(); // a second click while the first runs does nothing
    await new Promise((r) => setTimeout(r, 10));
    const loads = f.calls.filter((c) => c[0] === "loadPaymentData");
    assert.equal(loads.length, 1);
    assert.equal(loads[0][1].transactionInfo.totalPrice, "5.00");
    assert.equal(loads[0][1].allowedPaymentMethods[0].tokenizationSpecification.parameters.publicKey, settings.public_key);
    const post = f.b.calls.find((c) => c.url === "/v1/tokens");
    assert.equal(post.init.method, "POST");
    assert.equal(post.init.headers.authorization, "Bearer pk_test_abc");
    assert.deepEqual(JSON.parse(post.init.body), { wallet: "google_pay", payment_data: gpayToken, save: true });
    assert.equal(f.posted.length, 1);
    const text = JSON.stringify(f.posted);
    assert.ok(!text.includes(PAN) && !text.includes("AAAAAAAAAA") && !text.includes("signedMessage"), "the frame posted the number, the cryptogram or Google's token");
    assert.equal(f.posted[0].type, "token");
    assert.deepEqual(Object.keys(f.posted[0].value).sort(), ["auth_method", "card", "token", "wallet"]);
  } finally {
    f.restore();
  }
});

test("a closed sheet is a cancel; Google's and the edge's failures are errors with codes", async () => {
  const cases = [
    { name: "cancel", pay: () => Promise.reject({ statusCode: "CANCELED", statusMessage: "User closed the Payment Request UI." }), want: { type: "cancel", wallet: "google_pay" } },
    { name: "developer error", pay: () => Promise.reject({ statusCode: "DEVELOPER_ERROR", statusMessage: "details" }), want: { type: "error", code: "upstream_error" } },
    { name: "no DIRECT token", pay: async () => ({ paymentMethodData: { tokenizationData: { type: "PAYMENT_GATEWAY", token: "x" } } }), want: { type: "error", code: "upstream_error" } },
    {
      name: "edge refuses",
      pay: async () => ({ paymentMethodData: { tokenizationData: { type: "DIRECT", token: "{}" } } }),
      edge: () => jsonResponse(422, { error: { code: "wallet_message_expired", message: "expired" } }),
      want: { type: "error", code: "wallet_message_expired" },
    },
  ];
  for (const c of cases) {
    const f = await frameSide({ pay: c.pay, edge: c.edge });
    try {
      await f.gp.configure({ transactionInfo }, false);
      f.container.children[0].click();
      await new Promise((r) => setTimeout(r, 10));
      const got = f.posted.map((p) => (p.type === "error" ? { type: "error", code: p.error.code } : p));
      assert.deepEqual(got, [c.want], c.name);
      assert.ok(!JSON.stringify(f.posted).includes("details"), `${c.name}: Google's message is not passed on`);
    } finally {
      f.restore();
    }
  }
});
