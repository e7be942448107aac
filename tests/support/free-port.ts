import { createServer } from "node:net";

/**
 * A TCP port free on 127.0.0.1 now (the system picks it), for servers that tests and benchmarks
 * start themselves: two checkouts on one machine never collide.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no free port")),
      );
    });
    server.on("error", reject);
  });
}
