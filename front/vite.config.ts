/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The dev server and `vite preview` forward API calls to a local backend so the SPA can use same-origin URLs.
const apiTarget = process.env.BARB_API_PROXY ?? "http://127.0.0.1:8000";
const proxy = {
  "/api": { target: apiTarget, changeOrigin: false },
  "/health": { target: apiTarget, changeOrigin: false },
  "/auth/v1": { target: apiTarget, changeOrigin: false },
};

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: { port: 3000, proxy },
  preview: { port: 4173, proxy },
  build: {
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // Name the big lazy libraries' chunks after them, so the size report reads plainly.
        manualChunks(id: string) {
          if (id.includes("node_modules/lightweight-charts") || id.includes("node_modules/fancy-canvas")) return "lightweight-charts";
          if (id.includes("node_modules/@supabase")) return "supabase";
          return undefined;
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}", "scripts/**/*.test.ts"],
    restoreMocks: true,
    testTimeout: 20_000,
  },
});
