import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parisDayWindow } from "../paris-time";
import { getCatalog } from "./catalog";
import { hotDay } from "./options";
import { RANGE_MESSAGES } from "./search-params";
import { type RunningSimulator, startSimulator } from "./server";

const DAY = "2024-08-01"; // a Thursday
const HOT = "2024-08-02";
const { start, end } = parisDayWindow(DAY);
const iso = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

let sim: RunningSimulator;
let token: string;

async function getToken(target: RunningSimulator, body: Record<string, string>): Promise<Response> {
  return fetch(target.tokenUrl, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body),
  });
}

const CREDENTIALS = {
  grant_type: "client_credentials",
  client_id: "id",
  client_secret: "secret",
  scope: "api_offresdemploiv2 o2dsoffre",
};

async function search(params: Record<string, string>, bearer = token): Promise<Response> {
  const query = new URLSearchParams({
    minCreationDate: iso(start),
    maxCreationDate: iso(end),
    ...params,
  });
  return fetch(`${sim.apiUrl}/offresdemploi/v2/offres/search?${query}`, {
    headers: { Authorization: `Bearer ${bearer}`, Accept: "application/json" },
  });
}

async function ids(response: Response): Promise<string[]> {
  const body = (await response.json()) as { resultats: { id: string }[] };
  return body.resultats.map((o) => o.id);
}

beforeAll(async () => {
  sim = await startSimulator({
    seed: 11,
    offersPerDay: (day) => (day === DAY ? 2000 : 500),
    rateLimitPerSecond: 0,
    hotspots: hotDay(HOT),
  });
  token = ((await (await getToken(sim, CREDENTIALS)).json()) as { access_token: string })
    .access_token;
});

afterAll(async () => {
  await sim.close();
});

describe("token endpoint", () => {
  it("issues bearer tokens for any non-empty credentials, with the real lifetime", async () => {
    const response = await getToken(sim, CREDENTIALS);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      scope: "api_offresdemploiv2 o2dsoffre",
      token_type: "Bearer",
      expires_in: 1499,
    });
    expect(typeof body.access_token).toBe("string");
  });

  it("refuses empty or wrong credentials, a wrong grant type and a missing scope", async () => {
    expect((await getToken(sim, { ...CREDENTIALS, client_secret: "" })).status).toBe(401);
    expect((await getToken(sim, { ...CREDENTIALS, grant_type: "password" })).status).toBe(400);
    expect((await getToken(sim, { ...CREDENTIALS, scope: "other" })).status).toBe(400);
    const strict = await startSimulator({ credentials: { clientId: "a", clientSecret: "b" } });
    try {
      expect((await getToken(strict, CREDENTIALS)).status).toBe(401);
      const ok = await getToken(strict, { ...CREDENTIALS, client_id: "a", client_secret: "b" });
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it("rejects API calls without a valid token, after expiry and after revocation", async () => {
    expect((await search({}, "nope")).status).toBe(401);
    const shortLived = await startSimulator({ tokenTtlSeconds: 1, offersPerDay: () => 10 });
    try {
      const t = (
        (await (await getToken(shortLived, CREDENTIALS)).json()) as { access_token: string }
      ).access_token;
      const url = `${shortLived.apiUrl}/offresdemploi/v2/referentiel/metiers`;
      const call = (): Promise<Response> =>
        fetch(url, { headers: { Authorization: `Bearer ${t}` } });
      expect((await call()).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await call();
      expect(expired.status).toBe(401);
      expect(expired.headers.get("www-authenticate")).toContain("invalid_token");
      expect(shortLived.stats().unauthorized).toBe(1);
    } finally {
      await shortLived.close();
    }
    const other = ((await (await getToken(sim, CREDENTIALS)).json()) as { access_token: string })
      .access_token;
    expect((await search({ range: "0-0" }, other)).status).toBe(206);
    sim.revokeTokens();
    expect((await search({ range: "0-0" }, other)).status).toBe(401);
    token = ((await (await getToken(sim, CREDENTIALS)).json()) as { access_token: string })
      .access_token;
  });
});

describe("search", () => {
  it("answers 400 with the API's messages for bad ranges", async () => {
    const cases: [string, string][] = [
      ["0-150", RANGE_MESSAGES.tooLarge],
      ["3001-3100", RANGE_MESSAGES.start],
      ["abc", RANGE_MESSAGES.format],
      ["1-", RANGE_MESSAGES.format],
    ];
    for (const [range, message] of cases) {
      const response = await search({ range });
      expect(response.status, range).toBe(400);
      expect(await response.json()).toMatchObject({ message, codeHttp: 400 });
    }
    expect(RANGE_MESSAGES.tooLarge).toBe("La plage de résultats demandée est trop importante.");
    expect(RANGE_MESSAGES.start).toBe("La position de début doit être inférieure ou égale à 3000.");
    expect(RANGE_MESSAGES.format).toBe(
      "Format du paramètre « range » incorrect. <entier>-<entier> attendu.",
    );
    // The largest allowed range is accepted.
    expect((await search({ range: "3000-3149" })).status).toBe(204);
  });

  it("pages with 206 and Content-Range, in a stable order covering the window exactly", async () => {
    const first = await search({ range: "0-149" });
    expect(first.status).toBe(206);
    expect(first.headers.get("content-range")).toBe("offres 0-149/2000");
    expect(first.headers.get("accept-range")).toBe("150");
    const seen: string[] = await ids(first);
    for (let p = 150; p < 2000; p += 150) {
      const page = await search({ range: `${p}-${p + 149}` });
      expect(page.status).toBe(206);
      expect(page.headers.get("content-range")).toBe(`offres ${p}-${Math.min(p + 149, 1999)}/2000`);
      seen.push(...(await ids(page)));
    }
    expect(new Set(seen).size).toBe(2000);
    expect(new Set(seen)).toEqual(new Set(sim.offerIds(DAY)));
    // Same query, same order.
    expect(await ids(await search({ range: "150-299" }))).toEqual(seen.slice(150, 300));
  });

  it("answers 200 when one page holds everything, 204 when nothing matches", async () => {
    const offers = sim.offers(DAY);
    // The first offers of the day: a window holding between 1 and 150 of them.
    const from = offers[0]!.dateCreation;
    const to = offers[40]!.dateCreation;
    const expected = offers.filter((o) => o.dateCreation >= from && o.dateCreation < to).length;
    expect(expected).toBeGreaterThan(0);
    const window = {
      minCreationDate: `${from.slice(0, 19)}Z`,
      maxCreationDate: `${to.slice(0, 19)}Z`,
    };
    const all = await search({ ...window, range: "0-149" });
    expect(all.status).toBe(200);
    expect(all.headers.get("content-range")).toBe(`offres 0-${expected - 1}/${expected}`);
    expect(await ids(all)).toHaveLength(expected);
    const none = await search({
      minCreationDate: "2024-08-01T03:00:00Z",
      maxCreationDate: "2024-08-01T03:00:01Z",
      codeROME: "A1101",
    });
    expect(none.status).toBe(204);
    expect(await none.text()).toBe("");
  });

  it("filters by creation window, ROME code and département like the ground truth", async () => {
    const offers = sim.offers(DAY);
    const rome = offers[0]!.romeCode!;
    const commune = offers.find((o) => o.lieuTravail?.commune)!.lieuTravail!.commune!;
    const departement = commune.startsWith("97") ? commune.slice(0, 3) : commune.slice(0, 2);
    const mid = new Date((start.getTime() + end.getTime()) / 2);
    const totalOf = async (params: Record<string, string>): Promise<number> => {
      const response = await search({ ...params, range: "0-0" });
      if (response.status === 204) return 0;
      return Number(/\/(\d+)$/.exec(response.headers.get("content-range") ?? "")?.[1]);
    };
    const inDepartement = (o: (typeof offers)[number]): boolean =>
      o.lieuTravail?.libelle.startsWith(`${departement} - `) ?? false;
    expect(await totalOf({ codeROME: rome })).toBe(
      offers.filter((o) => o.romeCode === rome).length,
    );
    expect(await totalOf({ departement })).toBe(offers.filter(inDepartement).length);
    expect(await totalOf({ codeROME: rome, departement })).toBe(
      offers.filter((o) => o.romeCode === rome && inDepartement(o)).length,
    );
    expect(await totalOf({ maxCreationDate: iso(mid) })).toBe(
      offers.filter((o) => Date.parse(o.dateCreation) < mid.getTime()).length,
    );
  });

  it("makes a hot day where one second, one ROME code and one (ROME, département) pair exceed 3,150", async () => {
    const hot = parisDayWindow(HOT);
    const totalOf = async (params: Record<string, string>): Promise<number> => {
      const response = await search({
        minCreationDate: iso(hot.start),
        maxCreationDate: iso(hot.end),
        range: "0-0",
        ...params,
      });
      return Number(/\/(\d+)$/.exec(response.headers.get("content-range") ?? "")?.[1] ?? 0);
    };
    expect(await totalOf({ codeROME: "K2204" })).toBeGreaterThan(3150);
    expect(await totalOf({ codeROME: "K2204", departement: "75" })).toBeGreaterThan(3150);
    const second = {
      minCreationDate: "2024-08-02T08:00:00Z",
      maxCreationDate: "2024-08-02T08:00:01Z",
    };
    expect(await totalOf(second)).toBeGreaterThan(3150);
    expect(await totalOf({ ...second, codeROME: "K2204" })).toBeGreaterThan(3150);
    expect(await totalOf({ ...second, codeROME: "K2204", departement: "75" })).toBeLessThanOrEqual(
      3150,
    );
  });

  it("answers 429 with Retry-After beyond the rate limit", async () => {
    const limited = await startSimulator({ rateLimitPerSecond: 3, offersPerDay: () => 10 });
    try {
      const t = ((await (await getToken(limited, CREDENTIALS)).json()) as { access_token: string })
        .access_token;
      const url = `${limited.apiUrl}/offresdemploi/v2/referentiel/metiers`;
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const response = await fetch(url, { headers: { Authorization: `Bearer ${t}` } });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get("retry-after");
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses).toContain(429);
      expect(retryAfter).toBe("1");
      expect(limited.stats().throttled).toBe(statuses.filter((s) => s === 429).length);
    } finally {
      await limited.close();
    }
  });
});

describe("referentials and offers", () => {
  it("serves the ROME métiers and the départements", async () => {
    const get = async (name: string): Promise<{ code: string; libelle: string }[]> =>
      (await (
        await fetch(`${sim.apiUrl}/offresdemploi/v2/referentiel/${name}`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).json()) as { code: string; libelle: string }[];
    const metiers = await get("metiers");
    expect(metiers).toHaveLength(532);
    expect(metiers[0]).toEqual({
      code: "A1101",
      libelle: "Conduite d'engins agricoles et forestiers",
    });
    const departements = await get("departements");
    expect(departements.map((d) => d.code)).toContain("2A");
    expect(departements).toHaveLength(101);
  });

  it("generates realistic, deterministic offers", async () => {
    const offers = sim.offers(DAY);
    expect(offers).toHaveLength(2000);
    const again = await startSimulator({ seed: 11, offersPerDay: () => 2000 });
    const other = await startSimulator({ seed: 12, offersPerDay: () => 2000 });
    try {
      expect(again.offerJson(DAY)).toEqual(sim.offerJson(DAY));
      expect(other.offerIds(DAY)).not.toEqual(sim.offerIds(DAY));
    } finally {
      await again.close();
      await other.close();
    }
    const catalog = getCatalog();
    const communes = new Set(catalog.communes.items.map((c) => c.code));
    const nafs = new Set(catalog.nafs.map((n) => n.code));
    const romes = new Set(catalog.romes.map((r) => r.code));
    for (const o of offers) {
      expect(o.id).toMatch(/^\d{3}[0-9A-Z]{4}$/);
      expect(o.dateCreation).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      const t = Date.parse(o.dateCreation);
      expect(t >= start.getTime() && t < end.getTime()).toBe(true);
      expect(romes.has(o.romeCode!)).toBe(true);
      if (o.codeNAF !== undefined) {
        expect(nafs.has(o.codeNAF)).toBe(true);
        expect(o.secteurActivite).toBe(o.codeNAF.slice(0, 2));
      }
      if (o.lieuTravail?.commune !== undefined)
        expect(communes.has(o.lieuTravail.commune)).toBe(true);
      expect(["CDI", "CDD", "MIS", "SAI", "LIB", "CCE", "FRA", "DDI"]).toContain(o.typeContrat);
      expect(["D", "E", "S"]).toContain(o.experienceExige);
    }
    const share = (p: (o: (typeof offers)[number]) => boolean): number =>
      offers.filter(p).length / offers.length;
    expect(share((o) => o.codeNAF === undefined)).toBeGreaterThan(0.1);
    expect(share((o) => o.entreprise?.nom === undefined)).toBeGreaterThan(0.1);
    expect(share((o) => o.lieuTravail?.commune === undefined)).toBeGreaterThan(0.02);
    expect(share((o) => o.lieuTravail?.libelle.startsWith("75 - Paris ") ?? false)).toBeGreaterThan(
      0.01,
    );
    // Mostly created during working hours, Paris time (UTC+2 in August).
    expect(
      share((o) => {
        const hour = (new Date(o.dateCreation).getUTCHours() + 2) % 24;
        return hour >= 8 && hour < 18;
      }),
    ).toBeGreaterThan(0.6);
  });

  it("gives weekends 15 % of a weekday and DST days 23 or 25 hours of offers", async () => {
    const dst = await startSimulator({ seed: 3, offersPerWeekday: 1000 });
    try {
      expect(dst.offerIds("2024-08-03")).toHaveLength(150); // a Saturday
      for (const [day, hours] of [
        ["2024-10-27", 25],
        ["2025-03-30", 23],
      ] as const) {
        const window = parisDayWindow(day);
        expect((window.end.getTime() - window.start.getTime()) / 3_600_000).toBe(hours);
        for (const o of dst.offers(day)) {
          const t = Date.parse(o.dateCreation);
          expect(t >= window.start.getTime() && t < window.end.getTime()).toBe(true);
        }
      }
    } finally {
      await dst.close();
    }
  });
});
