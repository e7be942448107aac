import { describe, expect, it } from "vitest";
import { defineAsset, Definitions } from "../index";
import { ReloadableDefinitions, type LoadedModule } from "./reloadable-definitions";

/**
 * Definitions of a project that changes between loads: `version` and `keys` are what its files
 * hold now; each set of definitions has a resource that records when it is closed.
 */
function project() {
  const state = { version: "1", keys: ["a"], broken: false, loads: 0 };
  const closed: string[] = [];
  const load = async (): Promise<LoadedModule> => {
    state.loads++;
    await new Promise((r) => setTimeout(r, 5));
    if (state.broken) throw new Error("definitions.ts does not compile");
    const version = state.version;
    const definitions = Definitions.create<unknown>({
      assets: state.keys.map((key) => defineAsset({ key, materialize: async () => ({}) })),
      resources: () => ({ close: async () => void closed.push(version) }),
    });
    return { definitions, files: ["definitions.ts"], version };
  };
  return { state, closed, load };
}

const env = { databaseUrl: "", home: "" };

describe("ReloadableDefinitions", () => {
  it("replaces the definitions when their version changes, not otherwise", async () => {
    const p = project();
    const defs = await ReloadableDefinitions.open({ load: p.load });
    const seen: string[] = [];
    defs.onChange((loaded) => void seen.push(loaded.version));
    const first = defs.current();

    const same = await defs.reload();
    expect(same).toMatchObject({ ok: true, changed: false });
    expect(defs.current()).toBe(first);

    p.state.version = "2";
    p.state.keys = ["a", "b"];
    const changed = await defs.reload();
    expect(changed).toMatchObject({ ok: true, changed: true });
    expect(defs.current().definitions.assets.map((a) => a.key)).toEqual(["a", "b"]);
    expect(seen).toEqual(["2"]);
  });

  it("keeps the previous definitions when a reload fails, and says why until one succeeds", async () => {
    const p = project();
    const logged: string[] = [];
    const defs = await ReloadableDefinitions.open({ load: p.load, log: (m) => logged.push(m) });
    p.state.broken = true;
    const failed = await defs.reload();
    expect(failed.ok).toBe(false);
    expect(failed.error?.message).toMatch(/does not compile/);
    expect(defs.current().version).toBe("1");
    expect(defs.lastError()?.message).toMatch(/does not compile/);
    expect(logged.join("\n")).toMatch(/the previous ones keep serving: .*does not compile/);

    p.state.broken = false;
    p.state.version = "2";
    expect((await defs.reload()).changed).toBe(true);
    expect(defs.lastError()).toBeUndefined();
  });

  it("refuses definitions that its validation refuses", async () => {
    const p = project();
    const defs = await ReloadableDefinitions.open({
      load: p.load,
      validate: (d) => {
        if (d.assets.some((a) => a.key === "bad")) throw new Error('asset "bad" is not allowed');
      },
    });
    p.state.version = "2";
    p.state.keys = ["bad"];
    expect((await defs.reload()).error?.message).toMatch(/"bad" is not allowed/);
    expect(defs.current().version).toBe("1");
  });

  it("runs overlapping reloads one after the other, the last one seeing the latest files", async () => {
    const p = project();
    const defs = await ReloadableDefinitions.open({ load: p.load });
    p.state.version = "2";
    const first = defs.reload();
    p.state.version = "3";
    const second = defs.reload();
    await Promise.all([first, second]);
    expect(defs.current().version).toBe("3");
    expect(p.state.loads).toBe(3);
  });

  it("closes replaced definitions' resources once the last run holding them ends", async () => {
    const p = project();
    const defs = await ReloadableDefinitions.open({ load: p.load });
    const run = defs.acquire();
    await run.definitions.resolveResources(env);

    p.state.version = "2";
    await defs.reload();
    // The run still holds version 1: its resources stay open.
    expect(p.closed).toEqual([]);
    expect(defs.current().version).toBe("2");
    await run.release();
    expect(p.closed).toEqual(["1"]);
    await run.release();
    expect(p.closed).toEqual(["1"]);

    // Definitions nobody holds are closed as soon as they are replaced.
    await defs.current().definitions.resolveResources(env);
    p.state.version = "3";
    const held = defs.acquire();
    await defs.reload();
    expect(p.closed).toEqual(["1"]);
    await held.release();
    expect(p.closed).toEqual(["1", "2"]);
    await defs.current().definitions.resolveResources(env);
    await defs.close();
    expect(p.closed).toEqual(["1", "2", "3"]);
  });
});
