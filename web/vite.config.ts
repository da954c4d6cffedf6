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
    // Current browsers (ES2022: Chrome/Edge 94+, Safari 16.4+, Firefox 93+); no legacy polyfills.
    target: 'es2022',
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
