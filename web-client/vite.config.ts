import { defineConfig } from 'vite';

// In development the page talks to the auth service on :8000 through Vite's proxy, so the
// browser sees one origin, as it does in production where the auth service serves the build.
export default defineConfig({
  server: {
    proxy: {
      '/auth': 'http://127.0.0.1:8000',
      '/health': 'http://127.0.0.1:8000',
    },
  },
  build: { outDir: 'dist', sourcemap: true },
});
