import { Hono } from "hono";
import { sleep } from "../abort";
import { FRANCE_TRAVAIL_SCOPE } from "../config";
import { getCatalog } from "./catalog";
import { DayStore, MAX_WINDOW_DAYS } from "./day-store";
import { FaultInjector } from "./faults";
import type { SimulatorOptions } from "./options";
import { hashSeed } from "./random";
import { parseSearchParams } from "./search-params";
import { TokenBuckets } from "./token-bucket";
import { TokenRegistry } from "./token-registry";

/** What the simulator has served so far. */
export interface SimulatorStats {
  /** Calls under /partenaire (searches and referentials), whatever their answer. */
  requests: number;
  /** Search calls answered 200, 206 or 204. */
  searches: number;
  tokenRequests: number;
  tokensIssued: number;
  /** 429 answers. */
  throttled: number;
  /** 401 answers (missing, unknown, expired or revoked token). */
  unauthorized: number;
  /** Injected 500/503 answers. */
  serverErrors: number;
  /** Injected truncated bodies. */
  malformed: number;
  /** Injected pages missing their last offer. */
  shortPages: number;
  /** 400 answers. */
  badRequests: number;
}

const JSON_TYPE = "application/json;charset=UTF-8";
export const API_PREFIX = "/partenaire/offresdemploi/v2";

/**
 * The simulated API as a Hono app: the token endpoint, `/offres/search` and the referentials,
 * with the real API's status codes, headers and error bodies. `startSimulator` serves it.
 */
export class SimulatorApp {
  readonly app = new Hono();
  readonly store: DayStore;
  readonly tokens: TokenRegistry;
  private readonly buckets: TokenBuckets;
  private readonly faults: FaultInjector;
  readonly counters: SimulatorStats = {
    requests: 0,
    searches: 0,
    tokenRequests: 0,
    tokensIssued: 0,
    throttled: 0,
    unauthorized: 0,
    serverErrors: 0,
    malformed: 0,
    shortPages: 0,
    badRequests: 0,
  };

  constructor(private readonly options: SimulatorOptions) {
    this.store = new DayStore(options);
    this.tokens = new TokenRegistry(options.tokenTtlSeconds ?? 1499);
    this.buckets = new TokenBuckets(options.rateLimitPerSecond ?? 10);
    this.faults = new FaultInjector(options.faults ?? {}, hashSeed(options.seed ?? 1, "faults"));
    this.routes();
  }

  private routes(): void {
    const { app, counters } = this;

    app.post("/connexion/oauth2/access_token", async (c) => {
      counters.tokenRequests++;
      const form = await c.req.parseBody();
      const field = (name: string): string => {
        const value = form[name];
        return typeof value === "string" ? value : "";
      };
      if (field("grant_type") !== "client_credentials") {
        return c.json(
          { error: "unsupported_grant_type", error_description: "Grant type not supported" },
          400,
        );
      }
      const clientId = field("client_id");
      const clientSecret = field("client_secret");
      const expected = this.options.credentials;
      const valid = expected
        ? clientId === expected.clientId && clientSecret === expected.clientSecret
        : clientId !== "" && clientSecret !== "";
      if (!valid) {
        return c.json(
          { error: "invalid_client", error_description: "Client authentication failed" },
          401,
        );
      }
      const scope = field("scope");
      if (!scope.split(/\s+/).includes("api_offresdemploiv2")) {
        return c.json({ error: "invalid_scope", error_description: "Invalid scope" }, 400);
      }
      const { token, expiresIn } = this.tokens.issue(clientId);
      counters.tokensIssued++;
      return c.json({
        access_token: token,
        scope: scope || FRANCE_TRAVAIL_SCOPE,
        token_type: "Bearer",
        expires_in: expiresIn,
      });
    });

    // Authentication, rate limit and latency apply to every API call.
    app.use("/partenaire/*", async (c, next) => {
      counters.requests++;
      const latency = this.faults.latencyMs();
      if (latency > 0) await sleep(latency);
      const header = c.req.header("authorization") ?? "";
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const clientId = token === undefined ? undefined : this.tokens.check(token);
      if (clientId === undefined) {
        counters.unauthorized++;
        c.header("WWW-Authenticate", 'Bearer error="invalid_token"');
        return c.json({ message: "Jeton d'accès invalide ou expiré.", codeHttp: 401 }, 401);
      }
      const taken = this.buckets.take(clientId);
      if (!taken.ok) {
        counters.throttled++;
        c.header("Retry-After", String(Math.max(1, Math.ceil(taken.waitMs / 1000))));
        return c.json({ message: "Limite de requêtes par seconde dépassée.", codeHttp: 429 }, 429);
      }
      await next();
    });

    app.get(`${API_PREFIX}/offres/search`, (c) => {
      const params = new URL(c.req.url).searchParams;
      this.options.onSearch?.(params);
      const parsed = parseSearchParams(params);
      if ("error" in parsed) {
        counters.badRequests++;
        return c.json(parsed.error, 400);
      }
      const fault = this.faults.next();
      if (fault === "server-error") {
        counters.serverErrors++;
        return c.json(
          { message: "Erreur technique.", codeHttp: 500 },
          this.faults.serverErrorStatus(),
        );
      }
      const { filters, range } = parsed;
      if (filters.maxMs - filters.minMs > MAX_WINDOW_DAYS * 86_400_000) {
        counters.badRequests++;
        return c.json(
          {
            message: `L'intervalle de dates de création ne doit pas dépasser ${MAX_WINDOW_DAYS} jours.`,
            codeHttp: 400,
            codeErreur: "INTERVALLE_DATES",
          },
          400,
        );
      }
      const match = this.store.search(filters);
      counters.searches++;
      if (match.total === 0 || range.first >= match.total) return c.body(null, 204);
      const results = match.page(range.first, range.last);
      const last = range.first + results.length - 1;
      if (fault === "short-page" && results.length > 1) {
        counters.shortPages++;
        results.pop();
      }
      let body = `{"resultats":[${results.join(",")}],"filtresPossibles":${JSON.stringify(match.facets())}}`;
      if (fault === "malformed") {
        counters.malformed++;
        body = body.slice(0, Math.floor(body.length / 2));
      }
      const complete = range.first === 0 && last === match.total - 1;
      return c.body(body, complete ? 200 : 206, {
        "Content-Type": JSON_TYPE,
        "Content-Range": `offres ${range.first}-${last}/${match.total}`,
        "Accept-Range": "150",
      });
    });

    app.get(`${API_PREFIX}/referentiel/metiers`, (c) =>
      c.json(getCatalog().romes.map((r) => ({ code: r.code, libelle: r.libelle }))),
    );

    app.get(`${API_PREFIX}/referentiel/departements`, (c) =>
      c.json(
        getCatalog().departements.map((d) => ({
          code: d.code,
          libelle: d.libelle,
          region: d.region,
        })),
      ),
    );

    app.notFound((c) => c.json({ message: "Ressource introuvable.", codeHttp: 404 }, 404));
    app.onError((error, c) =>
      c.json({ message: `Erreur technique : ${error.message}`, codeHttp: 500 }, 500),
    );
  }
}
