// A consumer of @sealpay/react's published types, checked with
// `tsc --noEmit` (npm run typecheck). Each @ts-expect-error is a mistake
// the types must refuse; tsc fails if one of them compiles.
import { CardElement, SealpayProvider, useCardElement, useSealpay, type CardElementProps, type ChangeEvent, type TokenResult } from "@sealpay/react";
import type { QRVerdict } from "@sealpay/js";

export function Checkout() {
  const { sealpay, loading, error, card, tokenize, verifyQR, seal } = useSealpay();
  const element = useCardElement();
  element?.focus();
  const pay = async (): Promise<string> => {
    const r: TokenResult = await tokenize({ save: true });
    const verdict: QRVerdict = await verifyQR("000201", { lang: "ja", expect: { amount: "12.50" } });
    const envelope: string = await seal({ number: "4242424242424242", exp_month: 12, exp_year: 2031 }, { ttl: 600 });
    return r.token + verdict.status + envelope + String(loading) + String(error?.message) + String(sealpay?.version) + String(card === element);
  };
  return (
    <form onSubmit={() => void pay()}>
      <CardElement
        id="card"
        className="card"
        style={{ base: { fontSize: "16px", color: "#1f2328", "::placeholder": { color: "#8a8f98" } }, invalid: { color: "#b00020" } }}
        options={{ locale: "pt-BR", hideName: true }}
        onReady={() => undefined}
        onChange={(e: ChangeEvent) => console.log(e.complete, e.empty, e.brand, e.error?.code)}
        onFocus={(e) => console.log(e.field === "number")}
        onBlur={(e) => console.log(e.field === "cvc")}
        onComplete={(e) => console.log(e.brand === "visa")}
        onError={(e) => console.log(e.code === "bad_request", e.message)}
      />
    </form>
  );
}

export const app = (
  <SealpayProvider options={{ edge: "https://edge.example", key: "pk_live_x", locale: "auto", merchant: "m_x" }}>
    <Checkout />
  </SealpayProvider>
);

// @ts-expect-error: the provider needs its options
export const noOptions = <SealpayProvider><Checkout /></SealpayProvider>;
// @ts-expect-error: edge is required
export const noEdge = <SealpayProvider options={{ key: "pk_live_x" }} />;
// @ts-expect-error: not a locale
export const badLocale = <SealpayProvider options={{ edge: "https://e.example", key: "pk_x", locale: "xx" }} />;
// @ts-expect-error: style is the hosted fields' Style, not CSS
export const cssStyle = <CardElement style={{ base: { display: "none" } }} />;
// @ts-expect-error: not a style variant
export const badVariant = <CardElement style={{ hover: { color: "red" } }} />;
// @ts-expect-error: no such event
export const badEvent = <CardElement onInput={() => undefined} />;
// @ts-expect-error: onChange gets a ChangeEvent, which has no field
export const badPayload = <CardElement onChange={(e) => e.field} />;
// @ts-expect-error: onFocus's field is a CardField
export const badField = <CardElement onFocus={(e) => { const f: "email" = e.field; return f; }} />;
// @ts-expect-error: hideName is a boolean
export const badHide = <CardElement options={{ hideName: "yes" }} />;
// @ts-expect-error: the element does not take children
export const kids: CardElementProps = { children: "x" };

export async function misuse() {
  const { tokenize, verifyQR, seal } = useSealpay();
  // @ts-expect-error: save is a boolean
  await tokenize({ save: "yes" });
  // @ts-expect-error: verifyQR takes the payload text
  await verifyQR(42);
  // @ts-expect-error: seal needs exp_month and exp_year
  await seal({ number: "4242424242424242" });
  const r = await tokenize();
  // @ts-expect-error: the token result never holds the number
  return r.card.number;
}
