/**
 * Build-time constants of the renderer. (`window.api` / `window.apiEvents` are
 * typed once, in src/shared/window.d.ts.)
 */
declare global {
  /** True only in the `--mode preview` build served by the 127.0.0.1 test host (vite.renderer.config.mts). */
  const __PREVIEW__: boolean;
}

export {};
