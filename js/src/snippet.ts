// The <script> build served as /v1/sealpay.js: window.Sealpay.
import { load } from "./sealpay.js";
import { SealpayError, SealpayUsageError } from "./errors.js";
import { VERSION } from "./version.js";

const api = Object.freeze({ load, loadSealpay: load, SealpayError, SealpayUsageError, version: VERSION });
(window as unknown as { Sealpay: typeof api }).Sealpay = api;
