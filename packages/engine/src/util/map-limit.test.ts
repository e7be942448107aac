import { describe, expect, it } from "vitest";
import { mapLimit } from "./map-limit";

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("mapLimit", () => {
  it("keeps the tasks' order and never runs more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const tasks = [30, 5, 20, 1, 10].map((ms, i) => async () => {
      running++;
      most = Math.max(most, running);
      await tick(ms);
      running--;
      return i;
    });
    expect(await mapLimit(tasks, 2)).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it("rejects with the first error after the started tasks settle, starting no more", async () => {
    const started: number[] = [];
    let settled = 0;
    const tasks = [0, 1, 2, 3].map((i) => async () => {
      started.push(i);
      await tick(i === 0 ? 5 : 15);
      settled++;
      if (i === 0) throw new Error("boom");
      return i;
    });
    await expect(mapLimit(tasks, 2)).rejects.toThrow("boom");
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(2);
  });

  it("runs nothing for no tasks and refuses a limit below 1", async () => {
    expect(await mapLimit([], 3)).toEqual([]);
    await expect(mapLimit([async () => 1], 0)).rejects.toThrow(RangeError);
  });
});
