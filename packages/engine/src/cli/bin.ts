// The `lignee` command. Built into packages/engine/dist/cli.js (scripts/build-engine.mjs), which
// plain Node.js runs.
import { runCli } from "./main";

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  interactive: process.stderr.isTTY === true,
});
// Exit explicitly: libraries may hold handles open, and the exit code must be ours.
process.stdout.write("", () => process.exit(code));
