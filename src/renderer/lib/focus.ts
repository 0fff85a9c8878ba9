/**
 * Focus management after navigation (WCAG 2.4.3 focus order): a new screen or wizard step moves keyboard
 * and screen-reader focus to its main heading, which carries `tabIndex={-1}` so it can take focus
 * without entering the tab order.
 */
import { useEffect, useRef } from 'react';

/**
 * A ref for the screen's main heading that is focused when the component mounts and whenever `key` changes
 * (e.g. the wizard's step).
 * @returns a ref to attach to a heading element with `tabIndex={-1}`
 */
export function useFocusHeading<T extends HTMLElement = HTMLHeadingElement>(key?: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [key]);
  return ref;
}

/**
 * Focus the first invalid field of a form after a failed submit, in document order: a field marked aria-invalid="true"
 * (Mantine's text inputs) or a checkbox with an error (Mantine marks its input data-error="true").
 * @param root the form element (or any container)
 * @returns true when a field was focused
 */
export function focusFirstInvalid(root: ParentNode | null): boolean {
  const el = root?.querySelector<HTMLElement>('[aria-invalid="true"], input[type="checkbox"][data-error="true"]');
  el?.focus();
  return !!el;
}
