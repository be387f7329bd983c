import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// @sealpay/vue and @sealpay/js are linked from this repository (file:
// dependencies); dedupe makes their imports of Vue and of @sealpay/js use
// this app's copies, as an install from npm would.
export default defineConfig({
  plugins: [vue()],
  base: "./",
  resolve: { dedupe: ["vue", "@sealpay/js"] },
});
