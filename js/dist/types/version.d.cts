/** The package version, injected by the build from package.json. */
export declare const VERSION: string;
