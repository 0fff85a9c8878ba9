import type { Ref } from 'react';
import { Title } from '@mantine/core';

/** The wizard's six steps in order: the Stepper's label and description of each (index = STEP value). */
export const WIZARD_STEPS = [
  { label: 'Patient', description: 'Whose records' },
  { label: 'Records', description: 'Files to release' },
  { label: 'Recipient', description: 'Who, and their key' },
  { label: 'Delivery', description: 'How it gets there' },
  { label: 'Review', description: 'Check everything' },
  { label: 'Send', description: 'Protect and deliver' },
] as const;

/**
 * "Step N of 6: Label", the heading of the active wizard step. It takes focus after every step change (Next, Back, a
 * step click) so keyboard and screen-reader users land on the new step (WCAG 2.4.3).
 */
export function WizardStepHeader({ step, headingRef }: { step: number; headingRef: Ref<HTMLHeadingElement> }) {
  return (
    <Title order={2} size="h4" ref={headingRef} tabIndex={-1} data-testid="wizard-step-heading">
      Step {step + 1} of {WIZARD_STEPS.length}: {WIZARD_STEPS[step]?.label ?? ''}
    </Title>
  );
}
