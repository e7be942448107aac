import { readFileSync } from "node:fs";
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runDbt, type DbtLogLine } from "./dbt-cli";

/** A stand-in for the dbt executable: a shell script, so the process handling is real. */
async function fakeDbt(body: string): Promise<{ executable: string; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "lignee-fake-dbt-"));
  const executable = path.join(dir, "dbt");
  await writeFile(executable, `#!/bin/sh\ncd "${dir}"\n${body}\n`);
  await chmod(executable, 0o755);
  return { executable, dir };
}

/** Running (a killed process left unreaped by its new parent is a zombie: not running). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
};

describe("runDbt", () => {
  it("streams JSON log lines as dbt writes them and passes the arguments as an array", async () => {
    const { executable, dir } = await fakeDbt(`
echo "$@" > args.txt
echo '{"info":{"name":"LogStartLine","level":"info","msg":"1 of 1 START sql table model emploi.region"},"data":{"node_info":{"unique_id":"model.emploi.region","node_status":"started"}}}'
echo '{"info":{"name":"RunResultError","level":"error","msg":"relation does not exist"},"data":{}}'
printf '%s\n' '{"info":{"name":"LogTestResult","level":"info","msg":"1 of 1 PASS unique_id \\u001b[32mPASS\\u001b[0m in 0.2s"},"data":{}}'
echo 'Traceback (most recent call last): boom' >&2
exit 1`);
    const lines: DbtLogLine[] = [];
    const result = await runDbt(["build", "--select", "region; rm -rf /"], {
      executable,
      projectDir: "proj",
      profilesDir: "prof",
      env: { LIGNEE_DBT_HOST: "localhost" },
      onLog: (l) => lines.push(l),
    });
    expect(result.exitCode).toBe(1);
    // stdout and stderr are read concurrently: find the line rather than rely on its position.
    expect(lines.find((l) => l.name === "LogStartLine")).toMatchObject({
      uniqueId: "model.emploi.region",
      nodeStatus: "started",
    });
    // Colour codes are stripped: the log is plain text.
    expect(lines.find((l) => l.name === "LogTestResult")?.msg).toBe(
      "1 of 1 PASS unique_id PASS in 0.2s",
    );
    expect([...result.errors].sort()).toEqual([
      "Traceback (most recent call last): boom",
      "relation does not exist",
    ]);
    const args = (await readFile(path.join(dir, "args.txt"), "utf8")).trim();
    expect(args).toContain(
      "build --select region; rm -rf / --log-format json --project-dir proj --profiles-dir prof",
    );
  });

  it("cancelling stops dbt and the processes it started", async () => {
    const { executable, dir } = await fakeDbt(`
sleep 60 &
echo $! > child.pid
trap 'exit 130' INT
wait`);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const result = await runDbt(["build"], {
      executable,
      projectDir: ".",
      profilesDir: ".",
      env: {},
      signal: controller.signal,
      // The background child ignores SIGINT (as background jobs of a non-interactive shell
      // do): the group kill that follows must still end it.
      killAfterMs: 500,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.exitCode).not.toBe(0);
    const child = Number(await readFile(path.join(dir, "child.pid"), "utf8"));
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(child)).toBe(false);
  });

  it("a missing executable names the command that installs dbt", async () => {
    await expect(
      runDbt(["parse"], {
        executable: "/nonexistent/dbt",
        projectDir: ".",
        profilesDir: ".",
        env: {},
      }),
    ).rejects.toThrow(/bash scripts\/dbt-setup\.sh/);
  });
});
