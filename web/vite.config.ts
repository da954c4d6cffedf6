import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built by `npm run build:web` (`vite build web`: this folder is the root) into web/dist, which the API
// serves at /app (api/routes/web.ts). JSX goes through Vite's built-in transformer (Oxc in Vite 8, which
// replaced esbuild for this) with Preact's automatic runtime: no framework plugin needed.
export default defineConfig(({ command }) => ({
  base: '/app/',
  // Production JSX whenever we build, even under NODE_ENV=test (vitest's children inherit it), which
  // would otherwise switch to the development transform (source locations on every element: +30 %).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: command === 'serve' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The phone page behind the QR code must open on older phones too: iOS 12–14.0 Safari runs module scripts
    // but not ES2022 class fields (a syntax error: a blank page), so the syntax is lowered to ES2019 / Safari 12
    // for both pages (one build; the workspace's cost is measured in docs/public-page.md). No polyfills: the
    // code uses no newer runtime API (test/web/public-page.test.ts checks the public bundle's syntax).
    target: ['es2019', 'safari12'],
    // One small chunk for the app; uPlot is loaded only by the monitor view (dynamic import).
    chunkSizeWarningLimit: 100,
    // Two pages: the staff workspace (index.html) and the public phone page behind the QR code (public.html,
    // served at /q/{code} by api/routes/public-page.ts). They share no code, so the phone never loads the workspace.
    rolldownOptions: { input: { index: fileURLToPath(new URL('./index.html', import.meta.url)), public: fileURLToPath(new URL('./public.html', import.meta.url)) } },
  },
  // `npx vite web` for hot reload while the API runs on :3000 (npm start).
  // changeOrigin: the API sees Host 127.0.0.1:3000, which its local token picker requires (api/routes/web.ts).
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:3000', changeOrigin: true } } },
}));
