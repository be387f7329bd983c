/**
 * `@sealpay/vue`: Sealpay's hosted card fields as Vue 3 components.
 *
 * ```vue
 * <SealpayProvider :options="{ edge: 'https://edge.example', key: 'pk_live_…' }">
 *   <Checkout />
 * </SealpayProvider>
 *
 * <!-- Checkout.vue -->
 * <script setup>
 * import { CardElement, useSealpay } from "@sealpay/vue";
 * const { tokenize } = useSealpay();
 * </script>
 * <template>
 *   <CardElement :style="{ base: { fontSize: '16px' } }" @change="(e) => (complete = e.complete)" />
 *   <button @click="tokenize().then(({ token }) => …)">Pay</button>
 * </template>
 * ```
 *
 * Importing it touches neither `window` nor `document`; on the server the
 * provider loads nothing and `<CardElement>` renders nothing.
 */
import {
  computed,
  defineComponent,
  h,
  inject,
  onBeforeUnmount,
  onMounted,
  provide,
  ref,
  shallowRef,
  watch,
  type ComputedRef,
  type InjectionKey,
  type PropType,
  type ShallowRef,
} from "vue";
import { loadSealpay, SealpayUsageError } from "@sealpay/js";
import type {
  CardElement as SealpayCardElement,
  CardElementEventMap,
  CardElementOptions,
  CardInput,
  ChangeEvent,
  CompleteEvent,
  FocusEvent,
  LoadOptions,
  QRVerdict,
  Sealpay,
  SealOptions,
  SealpayErrorInfo,
  Style,
  TokenizeOptions,
  TokenResult,
  VerifyQROptions,
} from "@sealpay/js";

interface SealpayContext {
  sealpay: ShallowRef<Sealpay | null>;
  error: ShallowRef<Error | null>;
  load: ShallowRef<Promise<Sealpay | null> | null>;
  card: ShallowRef<SealpayCardElement | null>;
}

const key: InjectionKey<SealpayContext> = Symbol("sealpay");

/**
 * SealpayProvider loads Sealpay once, in the browser (through
 * `loadSealpay`'s memoized promise, so every provider and every other
 * caller on the page share one instance), and provides it to the
 * `<CardElement>` and `useSealpay` calls below it. On the server it loads
 * nothing and renders its default slot.
 */
export const SealpayProvider = defineComponent({
  name: "SealpayProvider",
  props: {
    /**
     * The options of `loadSealpay` (`edge`, `key`, `locale`, `merchant`).
     * Sealpay is loaded once per page: other options are an error (see
     * `loadSealpay`).
     */
    options: { type: Object as PropType<LoadOptions>, required: true },
  },
  setup(props, { slots }) {
    const ctx: SealpayContext = { sealpay: shallowRef(null), error: shallowRef(null), load: shallowRef(null), card: shallowRef(null) };
    provide(key, ctx);
    const optionsKey = computed(() => {
      const o = props.options;
      return o && typeof o === "object" ? JSON.stringify([o.edge, o.key, o.locale, o.merchant]) : String(o);
    });
    let live = true;
    const start = (): void => {
      let load: Promise<Sealpay | null>;
      try {
        load = loadSealpay(props.options);
      } catch (e) {
        ctx.sealpay.value = null;
        ctx.error.value = e as Error;
        ctx.load.value = null;
        return;
      }
      ctx.load.value = load;
      ctx.error.value = null;
      load.then(
        (sp) => {
          if (live && ctx.load.value === load) ctx.sealpay.value = sp;
        },
        (e: Error) => {
          if (live && ctx.load.value === load) ctx.error.value = e;
        },
      );
    };
    onMounted(() => {
      start();
      watch(optionsKey, start);
    });
    onBeforeUnmount(() => {
      live = false;
    });
    return () => slots.default?.();
  },
});

function useContext(what: string): SealpayContext {
  const ctx = inject(key, null);
  if (!ctx) throw new SealpayUsageError(`${what} must be used inside <SealpayProvider>`);
  return ctx;
}

/** What {@link useSealpay} returns. */
export interface UseSealpayResult {
  /** The loaded Sealpay; `null` on the server, while loading and after a failed load. */
  sealpay: Readonly<ShallowRef<Sealpay | null>>;
  /** Sealpay is being loaded. */
  loading: ComputedRef<boolean>;
  /** Why the load failed (a `SealpayError` or `SealpayUsageError`), else `null`. */
  error: Readonly<ShallowRef<Error | null>>;
  /** The card element of the mounted `<CardElement>`, or `null`. */
  card: Readonly<ShallowRef<SealpayCardElement | null>>;
  /** Tokenize the card typed into the mounted `<CardElement>`. */
  tokenize(options?: TokenizeOptions): Promise<TokenResult>;
  /** Check a payment QR payload (waits for the load). */
  verifyQR(payload: string, options?: VerifyQROptions): Promise<QRVerdict>;
  /** Direct mode: seal a card in this page (waits for the load; see `Sealpay.seal`). */
  seal(card: CardInput, options?: SealOptions): Promise<string>;
}

/**
 * useSealpay gives the provider's Sealpay and the calls a checkout needs:
 * `tokenize` (the mounted `<CardElement>`), `verifyQR` and `seal`. Call it
 * in the `setup` of a component inside a {@link SealpayProvider}.
 */
export function useSealpay(): UseSealpayResult {
  const ctx = useContext("useSealpay");
  const loaded = async (what: string): Promise<Sealpay> => {
    const sp = ctx.sealpay.value ?? (ctx.load.value ? await ctx.load.value : null);
    if (!sp) throw ctx.error.value ?? new SealpayUsageError(`${what}: Sealpay is not loaded (it loads only in the browser)`);
    return sp;
  };
  return {
    sealpay: ctx.sealpay,
    loading: computed(() => !ctx.sealpay.value && !ctx.error.value && ctx.load.value !== null),
    error: ctx.error,
    card: ctx.card,
    async tokenize(options) {
      const card = ctx.card.value;
      if (!card) throw new SealpayUsageError("tokenize: no <CardElement> is mounted in this <SealpayProvider>");
      return card.tokenize(options);
    },
    async verifyQR(payload, options) {
      return (await loaded("verifyQR")).verifyQR(payload, options);
    },
    async seal(card, options) {
      return (await loaded("seal")).seal(card, options);
    },
  };
}

/** useCardElement gives the mounted `<CardElement>`'s card element (focus, clear, tokenize…), or `null`. */
export function useCardElement(): Readonly<ShallowRef<SealpayCardElement | null>> {
  return useContext("useCardElement").card;
}

// One validator per card element event: they type the component's
// `onReady`, `onChange`, … props, and a new event in CardElementEventMap
// fails to compile here until it is added.
const cardEvents: { [K in keyof CardElementEventMap]: (event: CardElementEventMap[K]) => boolean } = {
  ready: (_e: Record<string, never>) => true,
  change: (_e: ChangeEvent) => true,
  focus: (_e: FocusEvent) => true,
  blur: (_e: FocusEvent) => true,
  complete: (_e: CompleteEvent) => true,
  error: (_e: SealpayErrorInfo) => true,
};

/**
 * CardElement mounts Sealpay's hosted card fields (one iframe served by
 * the edge) inside a `<div>`, which gets the component's attributes (`id`,
 * `class`…). It renders nothing on the server and until it is mounted; the
 * frame is destroyed on unmount (its iframe and its `message` listener go
 * with it). Changing `options` or `style` mounts a new frame.
 */
export const CardElement = defineComponent({
  name: "CardElement",
  inheritAttrs: false,
  props: {
    /** Options of `cardElement` (`style`, `locale`, `hideName`). */
    options: { type: Object as PropType<CardElementOptions>, default: undefined },
    /** The hosted fields' style (the `Style` type), shorthand for `options.style`. */
    style: { type: Object as PropType<Style>, default: undefined },
  },
  emits: cardEvents,
  setup(props, { attrs, emit }) {
    const ctx = useContext("<CardElement>");
    const mounted = ref(false);
    const host = shallowRef<HTMLElement | null>(null);
    const optionsKey = computed(() => JSON.stringify(props.style === undefined ? { ...props.options } : { ...props.options, style: props.style }));
    let card: SealpayCardElement | null = null;
    const teardown = (): void => {
      if (!card) return;
      if (ctx.card.value === card) ctx.card.value = null;
      card.destroy();
      card = null;
    };
    const mount = (): void => {
      teardown();
      const sp = ctx.sealpay.value;
      const el = host.value;
      if (!sp || !el) return;
      const c = sp.cardElement(JSON.parse(optionsKey.value) as CardElementOptions);
      for (const name of Object.keys(cardEvents) as (keyof CardElementEventMap)[]) {
        c.on(name, (event) => (emit as (n: string, e: unknown) => void)(name, event));
      }
      c.mount(el);
      card = c;
      ctx.card.value = c;
    };
    onMounted(() => {
      mounted.value = true;
      watch([ctx.sealpay, host, optionsKey], mount, { flush: "post", immediate: true });
    });
    onBeforeUnmount(teardown);
    return () => (mounted.value ? h("div", { ...attrs, ref: host, "data-sealpay": "card" }) : null);
  },
});

export type {
  CardElementEventMap,
  CardElementOptions,
  ChangeEvent,
  CompleteEvent,
  FocusEvent,
  LoadOptions,
  Sealpay,
  SealpayErrorInfo,
  Style,
  TokenizeOptions,
  TokenResult,
} from "@sealpay/js";
