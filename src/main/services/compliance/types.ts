/**
 * Types of the compliance engine. The JSON-safe zod schemas live in
 * src/shared/compliance.ts (the renderer uses them too); this module re-exports
 * them and adds the engine-only shapes.
 */
export * from '../../../shared/compliance';
import type { Finding } from '../../../shared/compliance';

/** Build a finding (keeps call sites short). Messages must be PHI-free: no names, addresses or file names. */
export function finding(code: string, severity: 'block' | 'warn', citation: string, message: string, documentId?: string): Finding {
  return documentId === undefined ? { code, severity, citation, message } : { code, severity, citation, message, documentId };
}

/** Bases under which 164.524 (right of access and its 30-day clock) applies. */
export const ACCESS_BASES = ['right_of_access', 'patient_directed'] as const;
