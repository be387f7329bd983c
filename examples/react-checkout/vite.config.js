import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// @sealpay/react and @sealpay/js are linked from this repository
// (file: dependencies); dedupe makes their imports of React and of
// @sealpay/js use this app's copies, as an install from npm would.
export default defineConfig({
  plugins: [react()],
  base: "./",
  resolve: { dedupe: ["react", "react-dom", "@sealpay/js"] },
});
