import { type AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import type { FranceTravailConfig } from "../config";
import type { FranceTravailOffer } from "../offer";
import { SimulatorApp, type SimulatorStats } from "./app";
import type { SimulatorOptions } from "./options";

export interface StartSimulatorOptions extends SimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly hostname?: string;
}

export interface RunningSimulator {
  /** Base URL, e.g. "http://127.0.0.1:40123" (no trailing slash). */
  readonly url: string;
  /** Token URL and API base URL to configure a client with. */
  readonly tokenUrl: string;
  readonly apiUrl: string;
  stats(): SimulatorStats;
  /** Ground truth: every offer created on a Paris day, oldest first, as the API serialises it. */
  offerJson(day: string): readonly string[];
  offerIds(day: string): readonly string[];
  offers(day: string): FranceTravailOffer[];
  /**
   * A client configuration pointing at the simulator, with credentials it accepts and an
   * unlimited client-side rate unless overridden.
   */
  clientConfig(overrides?: Partial<FranceTravailConfig>): FranceTravailConfig;
  /** Makes every token issued so far invalid, as an expiry would. */
  revokeTokens(): void;
  close(): Promise<void>;
}

/**
 * Serves a simulated "Offres d'emploi v2" API on 127.0.0.1 with the real paths: a client
 * configured with `tokenUrl` and `apiUrl` talks to it as to the real one.
 *
 * @example
 * const sim = await startSimulator({ seed: 7, offersPerDay: () => 5000, rateLimitPerSecond: 0 });
 * const config = { ...readFranceTravailConfig({}), clientId: "id", clientSecret: "secret",
 *   tokenUrl: sim.tokenUrl, apiUrl: sim.apiUrl };
 * // … collect, then compare with sim.offerIds("2024-08-01")
 * await sim.close();
 */
export async function startSimulator(
  options: StartSimulatorOptions = {},
): Promise<RunningSimulator> {
  const simulator = new SimulatorApp(options);
  const hostname = options.hostname ?? "127.0.0.1";
  const { server, port } = await new Promise<{ server: ServerType; port: number }>(
    (resolve, reject) => {
      const server = serve(
        { fetch: simulator.app.fetch, port: options.port ?? 0, hostname },
        (info: AddressInfo) => resolve({ server, port: info.port }),
      );
      server.once("error", reject);
    },
  );
  const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    tokenUrl: `${url}/connexion/oauth2/access_token?realm=/partenaire`,
    apiUrl: `${url}/partenaire`,
    stats: () => ({ ...simulator.counters }),
    offerJson: (day) => simulator.store.dayJson(day),
    offerIds: (day) => simulator.store.dayIds(day),
    offers: (day) => simulator.store.dayJson(day).map((j) => JSON.parse(j) as FranceTravailOffer),
    clientConfig: (overrides) => ({
      clientId: options.credentials?.clientId ?? "simulator",
      clientSecret: options.credentials?.clientSecret ?? "simulator",
      tokenUrl: `${url}/connexion/oauth2/access_token?realm=/partenaire`,
      apiUrl: `${url}/partenaire`,
      rateLimitPerSecond: 0,
      ...overrides,
    }),
    revokeTokens: () => simulator.tokens.revokeAll(),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would hold close() open until they time out.
        if ("closeAllConnections" in server) server.closeAllConnections();
      })),
  };
}
