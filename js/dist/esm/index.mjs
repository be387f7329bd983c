// src/index.ts
export * from "./pure.mjs";
import { load } from "./pure.mjs";
export {
  load as loadSealpay
};
