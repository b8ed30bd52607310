// Builds the window (Svelte 5) into renderer/dist, which the desktop shell loads through its app protocol
// and `spectag serve` serves over HTTP. Relative asset paths work under both.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
  server: { port: 5173, strictPort: true },
});
