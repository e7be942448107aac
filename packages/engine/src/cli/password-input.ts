import { AuthStoreError } from "../errors";

/** The most bytes `--password-stdin` reads: a password is far shorter. */
const STDIN_LIMIT = 64 * 1024;

/** Where a command reads a password from (never the command line). */
export type PasswordSource = () => Promise<string>;

/**
 * `--password-stdin`: standard input, without its final line break; otherwise a hidden
 * prompt on the terminal, asked twice. Without either (stdin is not a terminal), a clear error:
 * a password is never taken from the command line.
 */
export function passwordSource(options: { passwordStdin?: boolean }): PasswordSource {
  if (options.passwordStdin) return () => readPasswordFrom(process.stdin);
  return async () => {
    if (!process.stdin.isTTY) {
      throw new AuthStoreError(
        "INVALID_USER",
        "no password: pipe it with --password-stdin, or run the command on a terminal to be asked for it",
      );
    }
    const first = await promptHidden("Password: ");
    const again = await promptHidden("Password again: ");
    if (first !== again) throw new AuthStoreError("INVALID_USER", "the passwords differ");
    return first;
  };
}

/** A stream's text (a password piped in), without its final line break. */
export async function readPasswordFrom(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > STDIN_LIMIT) {
      throw new AuthStoreError("INVALID_USER", "--password-stdin: the input is too long");
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Asks for a line on the terminal without echoing it. Ctrl-C or Ctrl-D abandons. */
function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = "";
    const wasRaw = input.isRaw;
    const finish = (): void => {
      input.off("data", onData);
      input.setRawMode(wasRaw);
      input.pause();
      process.stderr.write("\n");
    };
    const onData = (data: Buffer): void => {
      for (const char of data.toString("utf8")) {
        if (char === "\r" || char === "\n") {
          finish();
          resolve(typed);
          return;
        }
        if (char === "\u0003" || char === "\u0004") {
          finish();
          reject(new AuthStoreError("INVALID_USER", "no password given"));
          return;
        }
        if (char === "\u007f" || char === "\b") typed = Array.from(typed).slice(0, -1).join("");
        else typed += char;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}
