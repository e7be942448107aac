import http from "node:http";
import https from "node:https";
import { LigneeError } from "../errors";

// Kept-alive connections: a sender posts many alerts to few receivers (fetch's pool is several
// times slower per request on a busy machine).
const AGENTS = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 32 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 32 }),
} as const;

/**
 * POSTs a JSON body; resolves on a 2xx answer, rejects otherwise with the status and the start
 * of the answer (the caller redacts secrets before showing it). Redirects are not followed.
 * Times out after `timeoutMs`.
 */
export function postJson(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const target = new URL(url);
  const protocol = target.protocol === "https:" ? "https:" : "http:";
  const request = protocol === "https:" ? https.request : http.request;
  return new Promise<void>((resolve, reject) => {
    const req = request(
      target,
      {
        method: "POST",
        agent: AGENTS[protocol],
        signal,
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < 1024) chunks.push(c);
          size += c.length;
        });
        res.on("error", reject);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const text = Buffer.concat(chunks).toString("utf8").slice(0, 200).replace(/\s+/g, " ");
          reject(new LigneeError("RUNTIME", `HTTP ${status}${text ? `: ${text}` : ""}`));
        });
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new LigneeError("RUNTIME", `no answer within ${timeoutMs} ms`)),
    );
    req.on("error", reject);
    req.end(body);
  });
}
