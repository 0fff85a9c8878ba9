import { composePasswordPdf } from './password-pdf';
import { composePgpMime } from './pgp-mime';
import { composeSmime } from './smime';
import { composeTlsOnly } from './tls-only';
import type { MethodInput, PreparedMessages } from './types';

export type { MethodInput, PreparedMessages } from './types';

/** The email delivery methods, by the name the contract uses: each composes the release's messages. */
export const EMAIL_METHODS: Record<'openpgp-pgp-mime' | 'smime' | 'password-pdf' | 'tls-only-email', (m: MethodInput) => Promise<PreparedMessages>> = {
  'openpgp-pgp-mime': composePgpMime,
  smime: composeSmime,
  'password-pdf': composePasswordPdf,
  'tls-only-email': composeTlsOnly,
};
