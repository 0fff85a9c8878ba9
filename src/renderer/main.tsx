/**
 * Renderer entry. It first installs `window.api` (src/shared/api-client.ts): over the preload's `window.rpc` in
 * Electron, or — in the browser preview (`__PREVIEW__`, vite --mode preview) with no Electron preload — over the
 * HTTP preview bridge; in production builds `__PREVIEW__` is false and the bridge is tree-shaken away.
 */
import '@mantine/core/styles.css';
import './app/focus.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { App } from './app/App';
import { apiOverWire } from '../shared/api-client';

const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  focusRing: 'auto',
  // Shade 8 keeps white-on-primary text above WCAG AA contrast (4.5:1).
  primaryShade: 8,
  components: {
    // Mantine's default dimmed description (gray-6) is below 4.5:1 on white.
    InputWrapper: { styles: { description: { color: 'var(--mantine-color-gray-7)' } } },
    Stepper: { styles: { stepDescription: { color: 'var(--mantine-color-gray-7)' } } },
    // Light badges (status, scope) put coloured text on a tint of the same colour, often below 4.5:1: use dark text.
    Badge: {
      vars: (_theme: unknown, props: { variant?: string }) =>
        props.variant === 'light' ? { root: { '--badge-color': 'var(--mantine-color-dark-8)' } } : { root: {} },
    },
    // Same for the titles of light green/yellow/orange alerts.
    Alert: {
      vars: (_theme: unknown, props: { variant?: string; color?: string }) =>
        props.variant === 'light' && ['green', 'yellow', 'orange', 'teal'].includes(props.color ?? '')
          ? { root: { '--alert-color': 'var(--mantine-color-dark-8)' } }
          : { root: {} },
    },
  },
});

/** Error text and borders in red 8 (Mantine's light default, red 6, is below 4.5:1 on white for an invalid field's value). */
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-error': 'var(--mantine-color-red-8)' },
  dark: {},
});

async function start(): Promise<void> {
  if (window.rpc) {
    // Electron: the preload exposed the IPC transport; the typed API is built here, in the page's own world.
    window.api = apiOverWire(window.rpc);
  } else if (__PREVIEW__ && !(window as Partial<Window>).api) {
    const { installPreviewBridge } = await import('./platform/preview-bridge');
    installPreviewBridge();
  }
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={cssVariablesResolver}>
        <App />
      </MantineProvider>
    </StrictMode>,
  );
}

void start();
