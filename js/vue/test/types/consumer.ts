// A consumer of @sealpay/vue's published types, checked with
// `tsc --noEmit` (npm run typecheck): the components' props as a template
// sees them ($props, what vue-tsc checks) and through h(). Every case
// marked with ts-expect-error is a mistake the types must refuse; tsc
// fails if one of them compiles.
import { defineComponent, h } from "vue";
import { CardElement, SealpayProvider, useCardElement, useSealpay, type ChangeEvent, type TokenResult } from "@sealpay/vue";
import type { QRVerdict } from "@sealpay/js";

type CardProps = InstanceType<typeof CardElement>["$props"];
type ProviderProps = InstanceType<typeof SealpayProvider>["$props"];

export const Checkout = defineComponent({
  setup() {
    const { sealpay, loading, error, card, tokenize, verifyQR, seal } = useSealpay();
    const element = useCardElement();
    element.value?.focus();
    const pay = async (): Promise<string> => {
      const r: TokenResult = await tokenize({ save: true });
      const verdict: QRVerdict = await verifyQR("000201", { lang: "ja", expect: { amount: "12.50" } });
      const envelope: string = await seal({ number: "4242424242424242", exp_month: 12, exp_year: 2031 }, { ttl: 600 });
      const ok: boolean = loading.value;
      return r.token + verdict.status + envelope + String(ok) + String(error.value?.message) + String(sealpay.value?.version) + String(card.value === element.value);
    };
    return () =>
      h("form", { onSubmit: () => void pay() }, [
        h(CardElement, {
          id: "card",
          class: "card",
          style: { base: { fontSize: "16px", color: "#1f2328", "::placeholder": { color: "#8a8f98" } }, invalid: { color: "#b00020" } },
          options: { locale: "pt-BR", hideName: true },
          onReady: () => undefined,
          onChange: (e: ChangeEvent) => console.log(e.complete, e.empty, e.brand, e.error?.code),
          onFocus: (e) => console.log(e.field === "number"),
          onBlur: (e) => console.log(e.field === "cvc"),
          onComplete: (e) => console.log(e.brand === "visa"),
          onError: (e) => console.log(e.code === "bad_request", e.message),
        }),
      ]);
  },
});

export const app = h(SealpayProvider, { options: { edge: "https://edge.example", key: "pk_live_x", locale: "auto", merchant: "m_x" } }, () => h(Checkout));

export const good: CardProps = {
  style: { base: { fontSize: "16px" } },
  options: { hideName: false },
  onChange: (e) => e.complete,
  onFocus: (e) => e.field,
  onComplete: (e) => e.brand,
  onError: (e) => e.code,
};
export const provider: ProviderProps = { options: { edge: "https://edge.example", key: "pk_x" } };

// @ts-expect-error: the provider needs its options
export const noOptions: ProviderProps = {};
// @ts-expect-error: edge is required
export const noEdge: ProviderProps = { options: { key: "pk_live_x" } };
// @ts-expect-error: not a locale
export const badLocale: ProviderProps = { options: { edge: "https://e.example", key: "pk_x", locale: "xx" } };
// @ts-expect-error: style is the hosted fields' Style, not CSS
export const cssStyle: CardProps = { style: { base: { display: "none" } } };
// @ts-expect-error: not a style variant
export const badVariant: CardProps = { style: { hover: { color: "red" } } };
// @ts-expect-error: onChange gets a ChangeEvent, which has no field
export const badPayload: CardProps = { onChange: (e) => e.field };
// @ts-expect-error: onFocus's field is a CardField
export const badField: CardProps = { onFocus: (e) => { const f: "email" = e.field; return f; } };
// @ts-expect-error: hideName is a boolean
export const badHide: CardProps = { options: { hideName: "yes" } };
// @ts-expect-error: the options of h() are checked too
export const badH = h(CardElement, { style: { base: { colour: "red" } } });

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
