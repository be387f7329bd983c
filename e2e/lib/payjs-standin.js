// A STAND-IN FOR GOOGLE'S pay.js (https://pay.google.com/gp/p/js/pay.js),
// served to the edge's wallet frame by the Chromium tests through
// Playwright's request routing (e2e/wallet.test.mjs); the machine has no
// network. It is not Google's code: it implements the part of the
// PaymentsClient surface the frame uses (constructor with environment and
// nonce, isReadyToPay, createButton, loadPaymentData), checks the requests
// as Google documents them
// (https://developers.google.com/pay/api/web/reference/request-objects),
// injects its button's styles with the client's CSP nonce, as pay.js does,
// and gets each token from the test (POST https://pay.google.com/standin/token,
// also routed), which builds a real ECv2 token for the request's merchant id
// and public key (e2e/lib/googlepay.mjs).
(() => {
  const settings = JSON.parse("@@STANDIN_SETTINGS@@"); // {ready, cancel}
  const fail = (statusCode, statusMessage) => Promise.reject({ statusCode, statusMessage });
  const checkCard = (m) => m && m.type === "CARD" && Array.isArray(m.parameters?.allowedCardNetworks) && Array.isArray(m.parameters?.allowedAuthMethods);

  class PaymentsClient {
    constructor(options) {
      if (options?.environment !== "TEST" && options?.environment !== "PRODUCTION") throw new Error("stand-in pay.js: environment");
      this.nonce = options.nonce;
      window.__standin = { environment: options.environment, nonce: typeof options.nonce };
    }

    isReadyToPay(req) {
      if (req?.apiVersion !== 2 || req.apiVersionMinor !== 0 || !req.allowedPaymentMethods?.every(checkCard)) return fail("DEVELOPER_ERROR", "isReadyToPay request");
      return Promise.resolve({ result: settings.ready });
    }

    createButton(options) {
      if (typeof options?.onClick !== "function") throw new Error("stand-in pay.js: onClick");
      const style = document.createElement("style");
      if (this.nonce) style.nonce = this.nonce;
      style.textContent = ".gpay-standin{display:block;width:100%;height:100%;border:0;border-radius:4px;background:#000;color:#fff;font:16px sans-serif}";
      document.head.appendChild(style);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "gpay-standin";
      button.id = "gpay-standin";
      button.textContent = `${options.buttonType ?? "buy"} with G Pay (stand-in)`;
      button.addEventListener("click", options.onClick);
      return button;
    }

    async loadPaymentData(req) {
      const m = req?.allowedPaymentMethods?.[0];
      const spec = m?.tokenizationSpecification;
      if (req?.apiVersion !== 2 || !checkCard(m) || spec?.type !== "DIRECT" || spec.parameters?.protocolVersion !== "ECv2" || typeof spec.parameters.publicKey !== "string" || !req.transactionInfo) {
        return fail("DEVELOPER_ERROR", "loadPaymentData request");
      }
      if (settings.cancel) return fail("CANCELED", "User closed the Payment Request UI.");
      const res = await fetch("https://pay.google.com/standin/token", { method: "POST", body: JSON.stringify(req) });
      if (!res.ok) return fail("INTERNAL_ERROR", "stand-in token");
      const { token, last4 } = await res.json();
      return {
        apiVersion: 2,
        apiVersionMinor: 0,
        paymentMethodData: { type: "CARD", description: `Visa •••• ${last4}`, info: { cardNetwork: "VISA", cardDetails: last4 }, tokenizationData: { type: "DIRECT", token } },
      };
    }
  }

  window.google = { payments: { api: { PaymentsClient } } };
})();
