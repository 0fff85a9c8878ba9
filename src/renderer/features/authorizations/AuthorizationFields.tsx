import type { ReactNode } from 'react';
import { Checkbox, Fieldset, NativeSelect, SimpleGrid, Stack, TextInput, Textarea } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { CATEGORY_LABELS, DOCUMENT_CATEGORIES } from '../../../shared/compliance';
import type { AuthorizationDraft, AuthorizationValues } from './authorization-form';

const COMBINED_LABELS: Record<AuthorizationDraft['combinedWith'][number], string> = {
  other_authorization: 'Another authorization',
  psychotherapy_notes_authorization: 'A psychotherapy-notes authorization',
  research_consent: 'A research consent',
  consent_to_treatment: 'A consent to treatment',
  notice_of_privacy_practices: 'The notice of privacy practices',
  other_document: 'Another document',
};

const INITIATOR_OPTIONS = [
  { value: '', label: 'Not recorded' },
  { value: 'individual', label: 'The patient (or their representative) asked for it' },
  { value: 'covered_entity', label: 'Our practice asked for it' },
  { value: 'third_party', label: 'Someone else asked for it (insurer, employer, lawyer…)' },
];

/**
 * The fieldsets of the authorization form, one per part of 45 CFR 164.508: (c)(1)(i) what, (c)(1)(ii)–(iv) who, to
 * whom and why, (c)(1)(v) expiration, (c)(1)(vi) signature (with `representative`: the verification of a personal
 * representative's authority), (c)(2) the required statements, and the facts of (b)(2)–(b)(4) and (c)(4).
 */
export function AuthorizationFields({ form, representative }: { form: UseFormReturnType<AuthorizationValues>; representative?: ReactNode }) {
  const field = (path: string) => form.getInputProps(path);
  const box = (path: string) => form.getInputProps(path, { type: 'checkbox' });
  const representativeSigns = form.values.signature.signerRole === 'personal_representative';
  return (
    <>
      <Fieldset legend="What may be disclosed — (c)(1)(i)">
        <Stack gap="xs">
          <Textarea id="auth-description" label="Specific description of the information" autosize minRows={2} {...field('informationDescription')} />
          <Checkbox.Group id="auth-categories" label="Categories the authorization names" {...field('categories')}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
              {DOCUMENT_CATEGORIES.map((c) => <Checkbox key={c} value={c} label={CATEGORY_LABELS[c]} />)}
            </SimpleGrid>
          </Checkbox.Group>
          <SimpleGrid cols={2}>
            <TextInput id="auth-from" type="date" label="Information from (optional)" {...field('from')} />
            <TextInput id="auth-to" type="date" label="Information to (optional)" {...field('to')} />
          </SimpleGrid>
        </Stack>
      </Fieldset>
      <Fieldset legend="Who, to whom, why — (c)(1)(ii)–(iv)">
        <Stack gap="xs">
          <Textarea id="auth-disclosers" label="Who may disclose (one per line)" autosize minRows={1} {...field('disclosers')} />
          <Textarea id="auth-recipients" label="Who may receive (one per line)" autosize minRows={1} {...field('recipients')} />
          <Textarea id="auth-purposes" label="Purpose of each disclosure (one per line)" description="“At the request of the individual” is enough only when the individual initiated the authorization."
            autosize minRows={1} {...field('purposes')} />
          <SimpleGrid cols={{ base: 1, sm: 2 }} style={{ alignItems: 'end' }}>
            <NativeSelect id="auth-initiated-by" label="Who initiated this authorization?" data={INITIATOR_OPTIONS} {...field('initiatedBy')} />
            <Checkbox id="auth-research" label="It is for research (including a research database)" {...box('research')} />
          </SimpleGrid>
        </Stack>
      </Fieldset>
      <Fieldset legend="Expiration — (c)(1)(v)">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput id="auth-expiration-date" type="date" label="Expiration date (inclusive)" {...field('expiration.date')} />
          <TextInput id="auth-expiration-event" label="or expiration event" {...field('expiration.event')} />
          <TextInput id="auth-event-occurred" type="date" label="Event occurred on (if known)" {...field('expiration.eventOccurredOn')} />
        </SimpleGrid>
        <Checkbox id="auth-expiration-none" mt="xs" label="The form says “none” (allowed only for research)" {...box('expiration.none')} />
      </Fieldset>
      <Fieldset legend="Signature — (c)(1)(vi)">
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 1, sm: 3 }} style={{ alignItems: 'end' }}>
            <Checkbox id="auth-signed" label="Signed" {...box('signature.signed')} />
            <TextInput id="auth-signature-date" type="date" label="Date signed" {...field('signature.date')} />
            <NativeSelect id="auth-signer" label="Signed by"
              data={[{ value: 'patient', label: 'The patient' }, { value: 'personal_representative', label: 'A personal representative' }]} {...field('signature.signerRole')} />
          </SimpleGrid>
          {representativeSigns ? (
            <TextInput id="auth-representative-authority" label="Description of the representative’s authority" {...field('signature.representativeAuthority')} />
          ) : null}
          {representativeSigns ? representative : null}
        </Stack>
      </Fieldset>
      <Fieldset legend="Required statements — (c)(2)">
        <Stack gap={6}>
          <Checkbox id="auth-statement-revoke" label="(i) The right to revoke in writing, its exceptions, and how to revoke" {...box('statements.rightToRevoke')} />
          <Checkbox id="auth-statement-conditioning" label="(ii) Whether treatment, payment, enrollment or eligibility may be conditioned on signing" {...box('statements.conditioning')} />
          <Checkbox id="auth-statement-redisclosure" label="(iii) The information may be redisclosed by the recipient and no longer protected" {...box('statements.redisclosure')} />
        </Stack>
      </Fieldset>
      <Fieldset legend="Other facts — (b)(2)–(b)(4), (c)(4)">
        <Stack gap={6}>
          <Checkbox.Group id="auth-combined" label="The authorization is combined with" {...field('combinedWith')}>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
              {(Object.keys(COMBINED_LABELS) as AuthorizationDraft['combinedWith']).map((c) => <Checkbox key={c} value={c} label={COMBINED_LABELS[c]} />)}
            </SimpleGrid>
          </Checkbox.Group>
          <Checkbox id="auth-conditions" label="Treatment, payment, enrollment or eligibility is conditioned on signing" {...box('conditionsTreatment')} />
          <Checkbox id="auth-known-false" label="Material information in it is known to be false" {...box('knownFalse')} />
          <Checkbox id="auth-copy-given" label="A copy of the signed authorization was given to the individual" {...box('copyGivenToIndividual')} />
        </Stack>
      </Fieldset>
    </>
  );
}
