// The merchant's checkout script for wallets: Google Pay through the
// edge's wallet frame (walletButton), and Apple Pay tokens from the
// merchant's own session (tokenizeWallet). Its page's CSP names no Google
// origin: Google's pay.js runs in the edge's frame, not here. Tests drive
// it through window.shop.
(() => {
  const cfg = JSON.parse(document.getElementById("config").textContent);
  const out = document.getElementById("result");
  const errorInfo = (e) => ({ name: e?.name, code: e?.code, message: String(e?.message ?? e) });
  const shop = (window.shop = { events: [], result: null, error: null });
  const load = () => window.Sealpay.load({ edge: cfg.edge, key: cfg.key, locale: cfg.locale ?? "en" });

  /** tokenizeWallet resolves to {result} or {error}. */
  shop.tokenizeWallet = async (input) => {
    try {
      return { result: await (await load()).tokenizeWallet(input) };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  };

  shop.ready = (async () => {
    try {
      const sp = await load();
      const button = sp.walletButton({
        googlePay: {
          transactionInfo: { totalPriceStatus: "FINAL", totalPrice: "49.90", currencyCode: "EUR", countryCode: "DE", checkoutOption: "COMPLETE_IMMEDIATE_PURCHASE" },
          buttonType: "pay",
        },
      });
      for (const type of ["ready", "cancel", "error"]) button.on(type, (e) => shop.events.push({ type, ...e }));
      button.on("token", (r) => {
        shop.events.push({ type: "token" });
        shop.result = r;
        out.textContent = `Paid with Google Pay: ${r.card.brand} ending ${r.card.last4} (${r.token})`;
      });
      button.mount("#wallet");
      shop.button = button;
    } catch (e) {
      shop.error = errorInfo(e);
    }
  })();
})();
