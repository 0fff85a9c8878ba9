/**
 * Texts that staff show to an individual and that ReleaseDesk records verbatim.
 *
 * The renderer shows exactly these strings; the main process stores exactly
 * these strings with the recorded choice, so the record proves what the
 * individual was told. Change the text only together with its version id.
 */

/** Version id of {@link UNENCRYPTED_EMAIL_WARNING}; the renderer echoes it when recording the choice. */
export const UNENCRYPTED_EMAIL_WARNING_VERSION = 'unencrypted-email-warning-2026.1';

/**
 * Plain-language warning about the risk of unencrypted email, given before an
 * individual chooses it for their own records (45 CFR 164.524(c)(2); HHS
 * guidance on the right of access: the individual must be warned of the risk
 * and may still prefer unencrypted email).
 */
export const UNENCRYPTED_EMAIL_WARNING =
  'You asked us to email your health records to you without encryption. ' +
  'Please know the risk before you decide: ordinary email is not secure. ' +
  'While it travels over the internet and while it sits in mailboxes, it could be read, copied or changed by people who should not see it, ' +
  'for example if an email provider is hacked, if the address is mistyped, or if someone else can open your mailbox. ' +
  'Once we send it, we cannot protect it or call it back. ' +
  'We can instead send your records encrypted, or give them to you another way (for example on paper or through our patient portal). ' +
  'If you still want unencrypted email, we will send only to the address you confirm with us, and we will record your choice.';

/** Staff-facing names of the identity and authority verification methods (45 CFR 164.514(h)). */
export const VERIFICATION_METHOD_LABELS = {
  photo_id_in_person: 'Photo ID checked in person',
  portal_account: 'Signed in to the patient portal',
  callback_number_on_file: 'Called back at the phone number on file',
  knowledge_questions: 'Answered questions only the patient would know',
  signature_comparison: 'Signature compared with the one on file',
  notarized_request: 'Notarized request',
  representative_documentation: 'Documents showing the representative’s authority (e.g. power of attorney, guardianship)',
  other: 'Other (see notes)',
} as const;
export type VerificationMethod = keyof typeof VERIFICATION_METHOD_LABELS;
export const VERIFICATION_METHODS = Object.keys(VERIFICATION_METHOD_LABELS) as [VerificationMethod, ...VerificationMethod[]];
