import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One request an HTTP receiver got, recorded before it answered (or hung). */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
  /** Whether `X-Lignee-Signature` verified with the receiver's secret (undefined without one). */
  readonly signatureValid: boolean | undefined;
  /** What the receiver answered: 200, 500, or "hung". */
  readonly answer: number | "hung";
}

export interface HttpReceiverOptions {
  /** Verifies `X-Lignee-Signature` (HMAC-SHA256 of `timestamp.body`) with it. */
  readonly secret?: string;
  /** How to answer request number `n` (1-based): a status, or "hang" (never answer). */
  readonly answer?: (n: number, request: { path: string }) => number | "hang";
}

export interface HttpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Distinct `Idempotency-Key`s among the requests answered 2xx or hung (at-least-once). */
  keys(): Map<string, number>;
  close(): Promise<void>;
}

/** A webhook receiver on loopback that records what it gets and answers as told. */
export async function startHttpReceiver(options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "/";
      const answer = options.answer?.(++count, { path }) ?? 200;
      requests.push({
        path,
        headers: req.headers,
        body,
        signatureValid: options.secret ? verify(options.secret, req, body) : undefined,
        answer: answer === "hang" ? "hung" : answer,
      });
      if (answer === "hang") return;
      res.writeHead(answer, { "content-type": "text/plain" });
      // An error page echoing the request, as some servers do: the sender must redact it.
      res.end(answer >= 400 ? `failed ${path}` : "ok");
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    keys: () => {
      const keys = new Map<string, number>();
      for (const r of requests) {
        if (r.answer !== "hung" && r.answer >= 300) continue;
        const key = String(r.headers["idempotency-key"]);
        keys.set(key, (keys.get(key) ?? 0) + 1);
      }
      return keys;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What a receiver does to check a Lignée webhook (see the README's "Verifying a webhook"). */
export function verify(secret: string, req: IncomingMessage, body: string): boolean {
  const timestamp = String(req.headers["x-lignee-timestamp"] ?? "");
  const given = String(req.headers["x-lignee-signature"] ?? "");
  const expected = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return (
    fresh &&
    given.length === expected.length &&
    timingSafeEqual(Buffer.from(given), Buffer.from(expected))
  );
}

export interface SmtpReceiver {
  /** `smtp://user:password@127.0.0.1:<port>` */
  readonly url: string;
  readonly messages: ParsedMail[];
  close(): Promise<void>;
}

/** An SMTP server on loopback (no TLS) that requires the given login and parses what it gets. */
export async function startSmtpReceiver(user: string, password: string): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error("invalid login"));
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
