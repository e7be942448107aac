import { LigneeError } from "../errors";

/**
 * POSTs a JSON body; resolves on a 2xx answer, rejects otherwise with the status and the start
 * of the answer (the caller redacts secrets before showing it). Times out after `timeoutMs`.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    redirect: "error",
    signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
  });
  const text = await response.text().catch(() => "");
  if (!response.ok) {
    throw new LigneeError(
      "RUNTIME",
      `HTTP ${response.status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, " ")}` : ""}`,
    );
  }
}
