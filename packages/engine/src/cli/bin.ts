// The `lignee` command. Built into packages/engine/dist/cli.js (scripts/build-engine.mjs), which
// plain Node.js runs.
import "./node-navigator";

// Imported once `navigator` is there: the engine's modules are evaluated after this one's
// imports, not before (as the chunks of a static import would be).
const { runCli } = await import("./main");

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  interactive: process.stderr.isTTY === true,
});
// Exit explicitly: libraries may hold handles open, and the exit code must be ours.
process.stdout.write("", () => process.exit(code));
