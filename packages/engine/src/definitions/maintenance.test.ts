import { describe, expect, it } from "vitest";
import { MAINTENANCE_SCHEDULE, resolveMaintenance } from "./maintenance";

describe("resolveMaintenance", () => {
  const rawFiles = [{ dir: "/data/raw/offres", pattern: "offres-*.ndjson" }];

  it("has defaults: daily 03:00 Paris, 30 days of events, 7 of sensor evaluations, raw files after 7 days", () => {
    const { config, problems } = resolveMaintenance({ rawFiles }, {});
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      schedule: { name: MAINTENANCE_SCHEDULE, cron: "0 3 * * *", timezone: "Europe/Paris" },
      eventsRetentionDays: 30,
      sensorTicksRetentionDays: 7,
      auditRetentionDays: 365,
      rawFiles: [{ compressAfterDays: 7, label: "raw/offres" }],
    });
  });

  it("takes the environment over the definitions", () => {
    const { config, problems } = resolveMaintenance(
      {
        rawFiles,
        retention: { eventsDays: 60, auditDays: 30 },
        schedule: { cron: "0 4 * * *" },
      },
      {
        LIGNEE_MAINTENANCE_CRON: "30 2 * * 0",
        LIGNEE_MAINTENANCE_TIMEZONE: "UTC",
        LIGNEE_RETENTION_EVENTS_DAYS: "90",
        LIGNEE_RETENTION_SENSOR_TICKS_DAYS: "2",
        LIGNEE_RETENTION_AUDIT_DAYS: "730",
        LIGNEE_RAW_COMPRESS_AFTER_DAYS: "3",
      },
    );
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      schedule: { cron: "30 2 * * 0", timezone: "UTC" },
      eventsRetentionDays: 90,
      sensorTicksRetentionDays: 2,
      auditRetentionDays: 730,
      rawFiles: [{ compressAfterDays: 3 }],
    });
    expect(resolveMaintenance({}, { LIGNEE_MAINTENANCE_CRON: "off" }).config.schedule).toBe(
      undefined,
    );
  });

  it("reports bad settings in words", () => {
    const { problems } = resolveMaintenance(
      { rawFiles: [{ dir: "", pattern: "*.ndjson.gz" }] },
      { LIGNEE_RETENTION_EVENTS_DAYS: "a month", LIGNEE_MAINTENANCE_CRON: "every day" },
    );
    expect(problems).toEqual([
      "maintenance: LIGNEE_RETENTION_EVENTS_DAYS must be a number of days ≥ 0, not a month",
      "maintenance: rawFiles[0] has no dir (or store)",
      "maintenance: rawFiles[0]: pattern names compressed files already",
      expect.stringMatching(/^maintenance schedule: invalid cron expression "every day"/),
    ]);
  });

  it("takes a raw store's folder instead of a dir, made only when the job needs it", () => {
    let made = 0;
    const store = (): never => {
      made++;
      throw new Error("not made while resolving");
    };
    const ok = resolveMaintenance(
      { rawFiles: [{ store, prefix: "raw/offres/", pattern: "offres-*.ndjson" }] },
      {},
    );
    expect(ok.problems).toEqual([]);
    expect(ok.config.rawFiles).toMatchObject([
      { dir: "", prefix: "raw/offres/", label: "raw/offres" },
    ]);
    expect(ok.config.rawFiles[0]!.store).toBe(store);
    expect(made).toBe(0);
    const { problems } = resolveMaintenance(
      {
        rawFiles: [
          { dir: "data", store, pattern: "*.ndjson" },
          { store, prefix: "raw/offres", pattern: "*.ndjson" },
          { store, prefix: "/raw/", pattern: "*.ndjson" },
          // What the store itself refuses as a prefix (a `..` or `.` segment, a NUL) is refused
          // here, with the definitions, not when the maintenance job first lists the folder.
          { store, prefix: "raw/../", pattern: "*.ndjson" },
          { store, prefix: "./", pattern: "*.ndjson" },
          { store, prefix: "raw\0/", pattern: "*.ndjson" },
        ],
      },
      {},
    );
    expect(problems).toEqual([
      "maintenance: rawFiles[0] has both a dir and a store: give one",
      'maintenance: rawFiles[1].prefix must be a store folder ending with "/", its segments neither empty, "." nor "..", without a backslash or NUL (got "raw/offres")',
      'maintenance: rawFiles[2].prefix must be a store folder ending with "/", its segments neither empty, "." nor "..", without a backslash or NUL (got "/raw/")',
      'maintenance: rawFiles[3].prefix must be a store folder ending with "/", its segments neither empty, "." nor "..", without a backslash or NUL (got "raw/../")',
      'maintenance: rawFiles[4].prefix must be a store folder ending with "/", its segments neither empty, "." nor "..", without a backslash or NUL (got "./")',
      'maintenance: rawFiles[5].prefix must be a store folder ending with "/", its segments neither empty, "." nor "..", without a backslash or NUL (got "raw\\u0000/")',
    ]);
  });

  it("keeps audit lines retention.auditDays, or LIGNEE_RETENTION_AUDIT_DAYS, days", () => {
    expect(resolveMaintenance({ retention: { auditDays: 30 } }, {}).config.auditRetentionDays).toBe(
      30,
    );
    const { config, problems } = resolveMaintenance({}, { LIGNEE_RETENTION_AUDIT_DAYS: "forever" });
    expect(config.auditRetentionDays).toBe(365);
    expect(problems).toEqual([
      "maintenance: LIGNEE_RETENTION_AUDIT_DAYS must be a number of days ≥ 0, not forever",
    ]);
  });
});
