// The <script> build's direct-mode file, served by the edge as /v1/direct.js.
import * as direct from "./direct.js";

(globalThis as { __sealpay_direct?: unknown }).__sealpay_direct = direct;
