/**
 * Renderer entry. In the browser preview (`__PREVIEW__`, vite --mode preview) with
 * no Electron preload, it first installs the HTTP preview bridge; in production
 * builds `__PREVIEW__` is false and the bridge is tree-shaken away.
 */
import '@mantine/core/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider, createTheme } from '@mantine/core';
import { App } from './app/App';

const theme = createTheme({
  primaryColor: 'blue',
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  focusRing: 'auto',
});

async function start(): Promise<void> {
  if (__PREVIEW__ && !(window as Partial<Window>).api) {
    const { installPreviewBridge } = await import('./platform/preview-bridge');
    installPreviewBridge();
  }
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <App />
      </MantineProvider>
    </StrictMode>,
  );
}

void start();
