/**
 * `navigator` as Node.js 21+ defines it, for Node.js 20 (imported first by the CLI's entry).
 * Without it, pg probes for Cloudflare Workers when it loads by creating a `Response`, which
 * loads Node.js' whole fetch implementation (undici): a tenth of a second of every CLI start
 * (pg is loaded by the engine and again by definitions that use it), for nothing.
 */
if (typeof globalThis.navigator === "undefined") {
  Object.defineProperty(globalThis, "navigator", {
    value: {
      hardwareConcurrency: 1,
      language: "en-US",
      platform: process.platform,
      userAgent: `Node.js/${process.versions.node.split(".")[0]}`,
    },
    configurable: true,
    writable: true,
  });
}

export {};
