import { createApp } from "vue";
import App from "./App.vue";
import "./checkout.css";

// Where the edge is and the shop's publishable key: from the page's query
// (?edge=…&key=pk_…) or from VITE_SEALPAY_EDGE / VITE_SEALPAY_KEY at build
// time. `sealpay demo --origin http://localhost:5174` prints both.
const query = new URLSearchParams(location.search);
createApp(App, {
  edge: query.get("edge") || import.meta.env.VITE_SEALPAY_EDGE || "http://127.0.0.1:8701",
  pk: query.get("key") || import.meta.env.VITE_SEALPAY_KEY || "",
}).mount("#app");
