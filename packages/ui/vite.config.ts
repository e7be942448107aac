import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** In development (`pnpm --filter @lignee/ui dev`) API calls go to a running `lignee dev`. */
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { "/api": process.env.LIGNEE_API_URL ?? "http://127.0.0.1:3000" },
  },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
