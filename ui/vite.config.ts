import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The app is served from Tauri's embedded assets: no dev server in production,
// no remote URLs, nothing inlined that the strict CSP would block.
export default defineConfig({
  // svelteTesting only acts under Vitest: Svelte's browser build for component
  // tests (src/components/*.test.ts, in happy-dom) and cleanup after each test.
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
