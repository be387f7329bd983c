// The shop page's script. It never touches card data: the card fields live
// in the edge's iframe, tokenize() hands back a token, and the order goes
// to the edge's forward route, which signs it and passes it on to the
// merchant backend. Served from the shop's origin under a strict CSP (no
// inline script, no eval, no WebAssembly in this page).
"use strict";
(() => {
  const cfg = JSON.parse(document.getElementById("shop-config").textContent);
  const t = cfg.strings;
  const $ = (id) => document.getElementById(id);
  const store = {
    get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
    set: (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode */ } },
    del: (k) => { try { localStorage.removeItem(k); } catch { /* private mode */ } },
  };
  const CUSTOMER = "hikari.customer";
  const LAST_FP = "hikari.last_fingerprint";

  const brandNames = {
    visa: "Visa", mastercard: "Mastercard", amex: "American Express", discover: "Discover",
    diners: "Diners Club", jcb: "JCB", unionpay: cfg.lang === "zh-CN" ? "银联" : "UnionPay",
    maestro: "Maestro", mir: "Mir", rupay: "RuPay", elo: "Elo", hipercard: "Hipercard",
    troy: "Troy", verve: "Verve", dankort: "Dankort", bccard: "BC Card",
  };
  const cardLabel = (c) => `${brandNames[c.brand] || c.brand} •••• ${c.last4}`;
  const money = (minor, currency, digits) =>
    new Intl.NumberFormat(cfg.lang, { style: "currency", currency }).format(minor / 10 ** digits);
  const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m));

  const price = money(cfg.amount, cfg.currency, cfg.minor);
  $("price").textContent = price;

  // Changing language or currency reloads the page: the hosted fields take
  // their locale when Sealpay is loaded.
  for (const id of ["lang", "currency"]) $(id).addEventListener("change", () => $("prefs").submit());
  $("apply").hidden = true;

  function requestID() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  // forward posts to one of the merchant's forward routes on the edge.
  async function forward(route, body) {
    const res = await fetch(`${cfg.edge}/v1/forward/${route}`, {
      method: "POST",
      credentials: "omit",
      headers: { authorization: `Bearer ${cfg.key}`, "content-type": "application/json" },
      body: JSON.stringify({ request_id: requestID(), ...body }),
    });
    let data = null;
    try { data = await res.json(); } catch { /* not JSON */ }
    if (!res.ok) {
      const err = new Error((data && data.error && data.error.message) || `HTTP ${res.status}`);
      err.code = (data && data.error && data.error.code) || "upstream_error";
      err.decline = data && data.decline_code;
      throw err;
    }
    return data;
  }

  const declineText = {
    card_declined: t.err_declined, insufficient_funds: t.err_insufficient, expired_card: t.err_expired,
    incorrect_cvc: t.err_cvc, invalid_number: t.err_number,
  };
  function showError(e) {
    let msg = t.err_generic;
    if (e && e.decline) msg = declineText[e.decline] || t.err_declined;
    else if (e && typeof e.code === "string" && /^(invalid_|card_expired|unsupported_brand)/.test(e.code)) {
      // Card field problems: the hosted fields' own, localized message.
      msg = e.message || t.err_incomplete;
    }
    $("error").textContent = msg;
  }

  function setBusy(busy) {
    $("pay").disabled = busy;
    $("pay-saved").disabled = busy;
    $("pay").textContent = busy ? t.paying : fill(t.pay, { amount: price });
  }

  function showReceipt(r) {
    const last = store.get(LAST_FP);
    $("checkout").hidden = true;
    $("receipt").hidden = false;
    $("receipt-heading").textContent = t.receipt_heading;
    for (const [id, key] of [["r-order", "r_order"], ["r-amount", "r_amount"], ["r-card", "r_card"], ["r-auth", "r_auth"], ["r-fingerprint", "r_fingerprint"]]) {
      $(`${id}-label`).textContent = t[key];
    }
    $("r-order").textContent = r.order_id;
    $("r-amount").textContent = money(r.amount, r.currency, r.minor_units);
    $("r-card").textContent = cardLabel(r.card);
    $("r-auth").textContent = r.authorization;
    $("r-fingerprint").textContent = r.card.fingerprint;
    const notes = [];
    if (r.paid_with_saved) notes.push(t.r_paid_saved);
    if (last && last === r.card.fingerprint) notes.push(t.r_same);
    if (r.already_saved) notes.push(t.r_already_saved);
    else if (r.saved_card && !r.paid_with_saved) notes.push(t.r_saved);
    $("r-notes").replaceChildren(...notes.map((n) => Object.assign(document.createElement("li"), { textContent: n })));
    $("new-order").textContent = t.new_order;
    if (r.customer) store.set(CUSTOMER, r.customer);
    store.set(LAST_FP, r.card.fingerprint);
    $("receipt").focus();
  }
  $("new-order").addEventListener("click", () => location.reload());

  async function showSavedCard() {
    const customer = store.get(CUSTOMER);
    if (!customer) return;
    let cards;
    try {
      ({ cards } = await forward("cards", { customer }));
    } catch {
      return;
    }
    if (!cards || cards.length === 0) return;
    const c = cards[cards.length - 1];
    $("pay-saved").textContent = fill(t.pay_again, { card: cardLabel(c) });
    $("pay-saved").dataset.card = c.id;
    $("saved").hidden = false;
  }

  $("pay-saved").addEventListener("click", async () => {
    $("error").textContent = "";
    setBusy(true);
    try {
      const r = await forward("checkout", {
        product: cfg.product, currency: cfg.currency, locale: cfg.lang,
        customer: store.get(CUSTOMER), saved_card: $("pay-saved").dataset.card,
      });
      showReceipt(r);
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  });

  $("forget").addEventListener("click", async () => {
    try {
      await forward("forget", { customer: store.get(CUSTOMER), card: $("pay-saved").dataset.card });
      $("saved").hidden = true;
      $("error").textContent = t.forgotten;
    } catch (e) {
      showError(e);
    }
  });

  async function main() {
    void showSavedCard();
    const sp = await window.Sealpay.load({ edge: cfg.edge, key: cfg.key, locale: cfg.lang, merchant: cfg.merchant });
    const card = sp.cardElement({
      style: { base: { fontSize: "16px", color: "#1f2328", "::placeholder": { color: "#6e7681" } } },
    });
    card.on("ready", () => {
      $("loading").remove();
      setBusy(false);
    });
    card.on("change", (e) => {
      if (!e.error) $("error").textContent = "";
    });
    card.on("error", (e) => {
      $("error").textContent = e.message;
    });
    card.mount("#card");

    $("pay").addEventListener("click", async () => {
      $("error").textContent = "";
      setBusy(true);
      try {
        // The token and the card's brand and last four: never the number.
        // Single-use unless the shopper ticked "save this card".
        const save = $("save-card").checked;
        const { token } = await card.tokenize({ save });
        const body = { product: cfg.product, currency: cfg.currency, locale: cfg.lang, token, save_card: save };
        const customer = store.get(CUSTOMER);
        if (customer) body.customer = customer;
        showReceipt(await forward("checkout", body));
        card.clear();
      } catch (e) {
        showError(e);
      } finally {
        setBusy(false);
      }
    });
  }

  main().catch((e) => {
    $("error").textContent = `${t.err_generic} (${e && e.code ? e.code : "load"})`;
    console.error(e);
  });
})();
