declare const __SEALPAY_VERSION__: string;

/** The package version, injected by the build from package.json. */
export const VERSION: string =
  typeof __SEALPAY_VERSION__ === "string" ? __SEALPAY_VERSION__ : "0.0.0-dev";
