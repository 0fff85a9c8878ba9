import type { DeliveryMethodT } from '../../shared/contract';

/** The short name of a delivery method for summaries (Review "How", Send result, the audit log's Method column). */
export const METHOD_NAME: Record<DeliveryMethodT, string> = {
  'openpgp-pgp-mime': 'OpenPGP (PGP/MIME)',
  smime: 'S/MIME (certificate)',
  'password-pdf': 'Password-protected PDF',
  'tls-only-email': 'Unencrypted email (TLS only)',
  export: 'Saved to a folder or drive',
  print: 'Printed packet',
};
