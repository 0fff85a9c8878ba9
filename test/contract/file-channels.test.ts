import { describe, expect, it } from 'vitest';
import { FILE_CHANNELS, fileInputOf } from '../../src/shared/contract';

describe('channels that take files the user chooses (declared in the contract)', () => {
  it('are exactly the record import, the signed authorization form and the authority document', () => {
    expect([...FILE_CHANNELS].sort()).toEqual(['authorizations.attachSignedForm', 'documents.pick', 'requests.recordRepresentativeAuthority']);
  });

  it('accept record files (PDF and images) for documents.pick and PDF only for the signed forms', () => {
    expect(fileInputOf('documents.pick')!.accept).toMatch(/application\/pdf.*image\/jpeg.*image\/png.*image\/tiff/);
    expect(fileInputOf('authorizations.attachSignedForm')!.accept).toBe('application/pdf,.pdf');
    expect(fileInputOf('releases.send')).toBeUndefined();
  });

  it('take a representative authority document only when a copy is attached', () => {
    const files = fileInputOf('requests.recordRepresentativeAuthority')!;
    expect(files.when?.({ method: 'copy_attached' })).toBe(true);
    expect(files.when?.({ method: 'seen_in_person' })).toBe(false);
  });
});
