// The portal's build: three pages, every asset hashed under /portal/assets/ (the gateway caches them for a year).
import { resolve } from "node:path";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/portal/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, "index.html"),
        notices: resolve(import.meta.dirname, "notices.html"),
        explorer: resolve(import.meta.dirname, "explorer.html"),
      },
    },
  },
});
