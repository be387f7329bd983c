import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { SealpayProvider } from "@sealpay/react";
import { Checkout } from "./Checkout.jsx";
import "./checkout.css";

// Where the edge is and the shop's publishable key: from the page's query
// (?edge=…&key=pk_…) or from VITE_SEALPAY_EDGE / VITE_SEALPAY_KEY at build
// time. `sealpay demo --origin http://localhost:5173` prints both.
const query = new URLSearchParams(location.search);
const edge = query.get("edge") || import.meta.env.VITE_SEALPAY_EDGE || "http://127.0.0.1:8701";
const key = query.get("key") || import.meta.env.VITE_SEALPAY_KEY || "";

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <main>
      <h1>Hikari Ceramics</h1>
      {key ? (
        <SealpayProvider options={{ edge, key, locale: "en" }}>
          <Checkout edge={edge} pk={key} />
        </SealpayProvider>
      ) : (
        <p role="alert">
          Run <code>sealpay demo --origin {location.origin}</code> and open this page with{" "}
          <code>?edge=…&amp;key=pk_…</code> from its banner.
        </p>
      )}
    </main>
  </StrictMode>,
);
