import { defineConfig } from 'vite';

/** Where `pnpm dev` runs the auth service; the dev server forwards the API to it. */
const authService = process.env.ATTUNE_AUTH_URL ?? 'http://127.0.0.1:8000';

// Every path prefix the auth service answers. In development the page talks to the service
// through Vite's proxy, so the browser sees one origin (cookies included), as it does in
// production where the auth service serves the build itself.
const API_PREFIXES = [
  '/auth',
  '/me',
  '/analytics',
  '/admin',
  '/health',
  '/ready',
  '/livekit',
  '/openapi.json',
  '/docs',
  '/metrics',
];

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  server: {
    host: '127.0.0.1',
    port: 5173,
    // Anchored patterns: Vite matches a plain key as a string prefix, so `/me` would also take the
    // page `/memory` away from the dev server.
    proxy: Object.fromEntries(
      API_PREFIXES.map((prefix) => [
        `^${prefix.replace(/[.]/g, '\\.')}(?:[/?]|$)`,
        { target: authService, changeOrigin: false },
      ]),
    ),
  },
  build: {
    outDir: 'dist',
    sourcemap: true,
    emptyOutDir: true,
    // The Talk page's chunk is livekit-client (about 600 kB, 160 kB gzipped); it is already split
    // off and loaded only when Talk opens, so Vite's 500 kB warning says nothing new.
    chunkSizeWarningLimit: 700,
  },
});
