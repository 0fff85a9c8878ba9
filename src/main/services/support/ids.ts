import { randomBytes } from 'node:crypto';

/** A random, URL-safe identifier (16 bytes, base64url: 22 chars). Carries no meaning and no PHI. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
