import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileRawStore } from "@lignee/engine";
import { rawStoreContract } from "./raw-store-contract";

/** The raw store contract for a folder of this machine. */
rawStoreContract("FileRawStore", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "lignee-raw-store-"));
  return {
    store: new FileRawStore(dir),
    openAgain: () => new FileRawStore(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
