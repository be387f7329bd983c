// The merchant's checkout script, shared by the test pages. It reads the
// page's configuration (a JSON data block, which no CSP blocks), loads
// Sealpay from the <script> snippet, and mounts the hosted card fields if
// the page has a #card element. Tests drive it through window.shop.
(() => {
  const cfg = JSON.parse(document.getElementById("config").textContent);
  const out = document.getElementById("result");
  const errorInfo = (e) => ({ name: e?.name, code: e?.code, message: String(e?.message ?? e) });
  const shop = (window.shop = { events: [], result: null, error: null, sp: null, card: null });

  shop.load = () => window.Sealpay.load({ edge: cfg.edge, key: cfg.key, locale: cfg.locale ?? "en" });

  /** seal seals a card in this page (direct mode) and resolves to {envelope} or {error}. */
  shop.seal = async (card, options) => {
    try {
      const sp = await shop.load();
      return { envelope: await sp.seal(card, options) };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  };

  /** tokenize sends an envelope to the edge from this page, as direct mode does. */
  shop.tokenize = async (envelope) => {
    const res = await fetch(`${cfg.edge}/v1/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${cfg.key}`, "content-type": "application/json" },
      body: JSON.stringify({ envelope }),
    });
    return { status: res.status, body: await res.json() };
  };

  /** verifyQR resolves to the verdict or {error}. */
  shop.verifyQR = async (payload, options) => {
    try {
      const sp = await shop.load();
      return await sp.verifyQR(payload, options);
    } catch (e) {
      return { error: errorInfo(e) };
    }
  };

  /**
   * scanQR decodes the image at url and resolves to {text} or {error}. It
   * passes ImageData, which scanQR always reads with its own decoder
   * (qrdecode.js), never with the browser's BarcodeDetector.
   */
  shop.scanQR = async (url) => {
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0);
      const sp = await shop.load();
      return { text: await sp.scanQR(ctx.getImageData(0, 0, canvas.width, canvas.height)) };
    } catch (e) {
      return { error: errorInfo(e) };
    }
  };

  if (!document.getElementById("card")) return;
  shop.ready = (async () => {
    try {
      shop.sp = await shop.load();
      const card = shop.sp.cardElement({ style: { base: { fontSize: "16px", color: "#32325d" } } });
      for (const type of ["ready", "change", "focus", "blur", "complete", "error"]) {
        card.on(type, (e) => shop.events.push({ type, ...e }));
      }
      card.mount("#card");
      shop.card = card;
    } catch (e) {
      shop.error = errorInfo(e);
    }
  })();
  document.getElementById("pay").addEventListener("click", async () => {
    try {
      const r = await shop.card.tokenize();
      shop.result = r;
      out.textContent = `Paid with ${r.card.brand} ending ${r.card.last4} (${r.token})`;
    } catch (e) {
      shop.error = errorInfo(e);
      out.textContent = `Payment failed: ${e.message}`;
    }
  });
})();
