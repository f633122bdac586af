// Builds the reading room's and the curator pages' bundles into Django static files; django-vite reads the manifest.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  // Django serves frontend/static/ at STATIC_URL ("/static/"); django-vite's static_url_prefix is "dist".
  base: '/static/dist/',
  build: {
    manifest: true,
    outDir: 'static/dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: {
        reading: resolve(import.meta.dirname, 'src/pages/reading.js'),
        'early-frames': resolve(import.meta.dirname, 'src/pages/early-frames.js'),
        adjudication: resolve(import.meta.dirname, 'src/pages/adjudication.js'),
        saliency: resolve(import.meta.dirname, 'src/pages/saliency.js'),
        // The curator pages: one poller for every long job, the mapping editor's preview, their stylesheet.
        progress: resolve(import.meta.dirname, 'src/pages/progress.js'),
        'mapping-editor': resolve(import.meta.dirname, 'src/pages/mapping-editor.js'),
        curation: resolve(import.meta.dirname, 'src/styles/curation.css'),
      },
    },
  },
  // The image loader's decode worker is an ES module worker.
  worker: { format: 'es' },
  // Pre-bundling breaks the loader's worker and wasm URLs (Cornerstone's documented Vite setup).
  optimizeDeps: { exclude: ['@cornerstonejs/dicom-image-loader'] },
});
