import { useState } from "react";
import { CardElement, useSealpay } from "@sealpay/react";

const brands = { visa: "Visa", mastercard: "Mastercard", amex: "American Express" };

/** forward posts the order to the edge's forward route, which signs it for the merchant backend. */
async function forward(edge, pk, route, body) {
  const id = crypto.getRandomValues(new Uint8Array(16));
  const res = await fetch(`${edge}/v1/forward/${route}`, {
    method: "POST",
    credentials: "omit",
    headers: { authorization: `Bearer ${pk}`, "content-type": "application/json" },
    body: JSON.stringify({ request_id: Array.from(id, (b) => b.toString(16).padStart(2, "0")).join(""), ...body }),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(data?.error?.message || `HTTP ${res.status}`), { code: data?.error?.code });
  return data;
}

export function Checkout({ edge, pk }) {
  const { tokenize, error: loadError } = useSealpay();
  const [ready, setReady] = useState(false);
  const [complete, setComplete] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [receipt, setReceipt] = useState(null);

  async function pay(e) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      // The token and the card's brand and last four: never the number.
      const { token } = await tokenize();
      setReceipt(await forward(edge, pk, "checkout", { product: "matcha-bowl", currency: "USD", locale: "en", token }));
    } catch (err) {
      setError(err.message || "The payment failed.");
    } finally {
      setBusy(false);
    }
  }

  if (receipt) {
    return (
      <section aria-labelledby="receipt-heading" id="receipt">
        <h2 id="receipt-heading">Thank you! Your payment was approved</h2>
        <dl>
          <dt>Order</dt>
          <dd id="r-order">{receipt.order_id}</dd>
          <dt>Amount</dt>
          <dd id="r-amount">{receipt.amount_decimal} {receipt.currency}</dd>
          <dt>Card</dt>
          <dd id="r-card">{brands[receipt.card.brand] || receipt.card.brand} •••• {receipt.card.last4}</dd>
        </dl>
        <button id="new-order" type="button" onClick={() => { setReceipt(null); setReady(false); setComplete(false); }}>
          Buy another
        </button>
      </section>
    );
  }
  return (
    <form onSubmit={pay} aria-labelledby="order-heading">
      <h2 id="order-heading">Hand-thrown matcha bowl, 38.00 USD</h2>
      <CardElement
        id="card"
        className="card"
        style={{ base: { fontSize: "16px", color: "#1f2328", "::placeholder": { color: "#6e7781" } } }}
        onReady={() => setReady(true)}
        onChange={(e) => {
          setComplete(e.complete);
          if (!e.error) setError("");
        }}
        onError={(e) => setError(e.message)}
      />
      <p id="error" role="alert">{loadError ? loadError.message : error}</p>
      <button id="pay" type="submit" disabled={!ready || !complete || busy}>
        {busy ? "Paying…" : "Pay 38.00 USD"}
      </button>
    </form>
  );
}
