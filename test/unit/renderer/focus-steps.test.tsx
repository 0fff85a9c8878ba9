// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { WizardScreen } from '../../../src/renderer/features/release-wizard/WizardScreen';
import { useWizardStore } from '../../../src/renderer/features/release-wizard/store';
import { RequestsScreen } from '../../../src/renderer/features/requests/RequestsScreen';
import { installDomStubs, installFakeApi, makeRelease, ok, renderUi } from './harness';

beforeAll(installDomStubs);
afterEach(() => {
  cleanup();
  useWizardStore.setState({ release: null, step: 0, busy: null });
});

describe('focus after navigation and the step indicator', () => {
  it('Requests: the heading takes focus when the screen opens (Continue to requests, unlock)', async () => {
    installFakeApi({ 'requests.list': () => ok([]) });
    renderUi(<RequestsScreen />);
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Requests' }));
  });

  it('Wizard: the release heading on open, the step heading after Next; aria-current="step" marks the current step', async () => {
    const release = makeRelease();
    installFakeApi({ 'releases.get': () => ok(release), 'releases.evaluate': () => ok(null as never), 'requests.list': () => ok([]) });
    renderUi(<WizardScreen releaseId={null} />);
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'New release' }));
    const current = () => Array.from(document.querySelectorAll('[aria-current="step"]'));
    expect(current()).toHaveLength(1);
    expect(current()[0]!.textContent).toContain('Patient');

    act(() => useWizardStore.setState({ release, step: 1 }));
    const stepHeading = await screen.findByRole('heading', { level: 2, name: 'Step 2 of 6: Records' });
    await waitFor(() => expect(document.activeElement).toBe(stepHeading));
    expect(current()).toHaveLength(1);
    expect(current()[0]!.textContent).toContain('Records');
  });
});
