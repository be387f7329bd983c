/**
 * `@sealpay/react`: Sealpay's hosted card fields as React components.
 *
 * ```tsx
 * import { SealpayProvider, CardElement, useSealpay } from "@sealpay/react";
 *
 * function Checkout() {
 *   const { tokenize } = useSealpay();
 *   return (
 *     <form onSubmit={async (e) => { e.preventDefault(); const { token } = await tokenize(); … }}>
 *       <CardElement style={{ base: { fontSize: "16px" } }} onChange={(e) => setComplete(e.complete)} />
 *       <button>Pay</button>
 *     </form>
 *   );
 * }
 *
 * <SealpayProvider options={{ edge: "https://edge.example", key: "pk_live_…" }}><Checkout /></SealpayProvider>
 * ```
 *
 * Importing it touches neither `window` nor `document`; on the server the
 * provider loads nothing and `<CardElement>` renders nothing.
 */
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type Dispatch,
  type ReactElement,
  type ReactNode,
  type SetStateAction,
} from "react";
import { loadSealpay, SealpayUsageError } from "@sealpay/js";
import type {
  CardElement as SealpayCardElement,
  CardElementEventMap,
  CardElementOptions,
  CardInput,
  LoadOptions,
  QRVerdict,
  Sealpay,
  SealOptions,
  Style,
  TokenizeOptions,
  TokenResult,
  VerifyQROptions,
} from "@sealpay/js";

interface SealpayContextValue {
  sealpay: Sealpay | null;
  error: Error | null;
  load: Promise<Sealpay | null> | null;
  card: SealpayCardElement | null;
  setCard: Dispatch<SetStateAction<SealpayCardElement | null>>;
}

const SealpayContext = createContext<SealpayContextValue | null>(null);

/** Props of {@link SealpayProvider}. */
export interface SealpayProviderProps {
  /**
   * The options of `loadSealpay` (`edge`, `key`, `locale`, `merchant`).
   * Sealpay is loaded once per page: a provider with other options throws
   * (see `loadSealpay`).
   */
  options: LoadOptions;
  children?: ReactNode;
}

/**
 * SealpayProvider loads Sealpay once, in the browser (through
 * `loadSealpay`'s memoized promise, so every provider and every other
 * caller on the page share one instance), and gives it to the
 * `<CardElement>` and `useSealpay` calls below it. On the server it loads
 * nothing and renders its children.
 */
export function SealpayProvider({ options, children }: SealpayProviderProps): ReactElement {
  const [state, setState] = useState<{ sealpay: Sealpay | null; error: Error | null; load: Promise<Sealpay | null> | null }>({
    sealpay: null,
    error: null,
    load: null,
  });
  const [card, setCard] = useState<SealpayCardElement | null>(null);
  const key = optionsKey(options);
  useEffect(() => {
    let live = true;
    let load: Promise<Sealpay | null>;
    try {
      load = loadSealpay(options);
    } catch (e) {
      setState({ sealpay: null, error: e as Error, load: null });
      return;
    }
    setState((s) => (s.load === load ? s : { sealpay: null, error: null, load }));
    load.then(
      (sealpay) => live && setState({ sealpay, error: null, load }),
      (error: Error) => live && setState({ sealpay: null, error, load }),
    );
    return () => {
      live = false;
    };
    // The options are compared by value: a new object literal on every
    // render must not reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const value = useMemo<SealpayContextValue>(() => ({ ...state, card, setCard }), [state, card]);
  return createElement(SealpayContext.Provider, { value }, children);
}

function optionsKey(o: LoadOptions): string {
  return o && typeof o === "object" ? JSON.stringify([o.edge, o.key, o.locale, o.merchant]) : String(o);
}

function useSealpayContext(what: string): SealpayContextValue {
  const ctx = useContext(SealpayContext);
  if (!ctx) throw new SealpayUsageError(`${what} must be used inside <SealpayProvider>`);
  return ctx;
}

/** What {@link useSealpay} returns. */
export interface UseSealpayResult {
  /** The loaded Sealpay; `null` on the server, while loading and after a failed load. */
  sealpay: Sealpay | null;
  /** Sealpay is being loaded. */
  loading: boolean;
  /** Why the load failed (a `SealpayError` or `SealpayUsageError`), else `null`. */
  error: Error | null;
  /** The card element of the mounted `<CardElement>`, or `null`. */
  card: SealpayCardElement | null;
  /** Tokenize the card typed into the mounted `<CardElement>`. */
  tokenize(options?: TokenizeOptions): Promise<TokenResult>;
  /** Check a payment QR payload (waits for the load). */
  verifyQR(payload: string, options?: VerifyQROptions): Promise<QRVerdict>;
  /** Direct mode: seal a card in this page (waits for the load; see `Sealpay.seal`). */
  seal(card: CardInput, options?: SealOptions): Promise<string>;
}

/**
 * useSealpay gives the provider's Sealpay and the calls a checkout needs:
 * `tokenize` (the mounted `<CardElement>`), `verifyQR` and `seal`. It
 * must be called inside a {@link SealpayProvider}.
 */
export function useSealpay(): UseSealpayResult {
  const ctx = useSealpayContext("useSealpay");
  return useMemo<UseSealpayResult>(() => {
    const loaded = async (what: string): Promise<Sealpay> => {
      const sp = ctx.sealpay ?? (ctx.load ? await ctx.load : null);
      if (!sp) throw ctx.error ?? new SealpayUsageError(`${what}: Sealpay is not loaded (it loads only in the browser)`);
      return sp;
    };
    return {
      sealpay: ctx.sealpay,
      loading: !ctx.sealpay && !ctx.error && ctx.load !== null,
      error: ctx.error,
      card: ctx.card,
      async tokenize(options) {
        if (!ctx.card) throw new SealpayUsageError("tokenize: no <CardElement> is mounted in this <SealpayProvider>");
        return ctx.card.tokenize(options);
      },
      async verifyQR(payload, options) {
        return (await loaded("verifyQR")).verifyQR(payload, options);
      },
      async seal(card, options) {
        return (await loaded("seal")).seal(card, options);
      },
    };
  }, [ctx]);
}

/** useCardElement returns the mounted `<CardElement>`'s card element (focus, clear, tokenize…), or `null`. */
export function useCardElement(): SealpayCardElement | null {
  return useSealpayContext("useCardElement").card;
}

/** The event props of {@link CardElement}: `onReady`, `onChange`, … one per card element event. */
export type CardElementEventProps = {
  [K in keyof CardElementEventMap as `on${Capitalize<K>}`]?: (event: CardElementEventMap[K]) => void;
};

/** Props of {@link CardElement}. */
export interface CardElementProps extends CardElementEventProps {
  /** Options of `cardElement` (`style`, `locale`, `hideName`). Changing them mounts a new frame. */
  options?: CardElementOptions;
  /** The hosted fields' style (the `Style` type), shorthand for `options.style`. */
  style?: Style;
  /** `id` of the element the frame is mounted into. */
  id?: string;
  /** `className` of the element the frame is mounted into (reserve its height: 248 px, 164 px with `hideName`). */
  className?: string;
}

// Every event of the card element and its prop; a new event in
// CardElementEventMap fails to compile here until it is added.
const eventProps: { [K in keyof CardElementEventMap]: keyof CardElementEventProps } = {
  ready: "onReady",
  change: "onChange",
  focus: "onFocus",
  blur: "onBlur",
  complete: "onComplete",
  error: "onError",
};

const subscribeNothing = (): (() => void) => () => undefined;

/**
 * CardElement mounts Sealpay's hosted card fields (one iframe served by
 * the edge) inside a `<div>`. It renders nothing on the server and while
 * hydrating; the frame is created in an effect and destroyed on unmount
 * (its iframe and its `message` listener go with it), so React's
 * StrictMode double mount leaves one frame.
 */
export function CardElement(props: CardElementProps): ReactElement | null {
  const ctx = useSealpayContext("<CardElement>");
  const client = useSyncExternalStore(subscribeNothing, () => true, () => false);
  const host = useRef<HTMLDivElement | null>(null);
  const latest = useRef(props);
  useEffect(() => {
    latest.current = props;
  });
  const options: CardElementOptions = props.style === undefined ? { ...props.options } : { ...props.options, style: props.style };
  const key = JSON.stringify(options);
  const { sealpay, setCard } = ctx;
  useEffect(() => {
    const el = host.current;
    if (!sealpay || !el) return;
    const card = sealpay.cardElement(JSON.parse(key) as CardElementOptions);
    for (const name of Object.keys(eventProps) as (keyof CardElementEventMap)[]) {
      card.on(name, (event) => {
        const handler = latest.current[eventProps[name]] as ((e: unknown) => void) | undefined;
        handler?.(event);
      });
    }
    card.mount(el);
    setCard(card);
    return () => {
      setCard((c) => (c === card ? null : c));
      card.destroy();
    };
  }, [sealpay, setCard, key, client]);
  if (!client) return null;
  return createElement("div", { ref: host, id: props.id, className: props.className, "data-sealpay": "card" });
}

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
