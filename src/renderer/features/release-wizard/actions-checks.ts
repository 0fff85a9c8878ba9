/**
 * Release wizard actions whose answers stay with the panel that asked: the patient check of the record files and its
 * confirmation, page previews, the address confirmation by code, the privacy officer's approval, and imports other
 * than the file chooser (dropped files, a protected PDF's password, skipping it). Each is the channel of the same
 * meaning and rejects with the call's ApiError (coded, PHI-free); the panels keep their own busy and error display.
 */
import type { ChannelInput, ChannelOutput } from '../../../shared/contract';
import { ApiError, call } from '../../lib/call';
import { stageDroppedFiles } from '../../platform/drop';
import type { WizardKit } from './wizard-state';

/** Inputs of a release-scoped channel without the release (the open release's id is added). */
type ForRelease<C extends Parameters<typeof call>[0]> = Omit<ChannelInput<C>, 'releaseId'>;

/** What the panels of the wizard call (see the module comment). */
export interface WizardCheckActions {
  /** `documents.checkPatient` for `releaseId`: each record file's text compared with the request's patient. @throws ApiError */
  checkPatient: (releaseId: string) => Promise<ChannelOutput<'documents.checkPatient'>>;
  /** `documents.confirmPatient` for the open release: staff's reasoned confirmation that a flagged file belongs. @throws ApiError */
  confirmPatient: (input: ForRelease<'documents.confirmPatient'>) => Promise<ChannelOutput<'documents.confirmPatient'>>;
  /** `documents.decidePatientConfirm` for the open release: a privacy officer approves or declines a file that shows another patient. @throws ApiError */
  decidePatientConfirm: (input: ForRelease<'documents.decidePatientConfirm'>) => Promise<ChannelOutput<'documents.decidePatientConfirm'>>;
  /** `documents.previewPage`: one page rendered in main as an image (data URL, pixel width and height). @throws ApiError */
  previewPage: (input: ChannelInput<'documents.previewPage'>) => Promise<ChannelOutput<'documents.previewPage'>>;
  /** `recipients.addressStatus` / `recipients.sendCode` / `recipients.confirmCode`: the address confirmation by code. @throws ApiError */
  addressStatus: (input: ChannelInput<'recipients.addressStatus'>) => Promise<ChannelOutput<'recipients.addressStatus'>>;
  sendAddressCode: (input: ChannelInput<'recipients.sendCode'>) => Promise<ChannelOutput<'recipients.sendCode'>>;
  confirmAddressCode: (input: ChannelInput<'recipients.confirmCode'>) => Promise<ChannelOutput<'recipients.confirmCode'>>;
  /** `releases.approve` for the open release (two-person rule); the gate's new answer replaces `evaluation`. @throws ApiError */
  approve: () => Promise<void>;
  /** Stages files dropped on the Records step (platform/drop.ts) and imports them (`documents.importDropped`) through runImport. */
  importDropped: (files: File[]) => Promise<void>;
  /** Opens a protected PDF with the password typed once (`documents.unlockPdf`) through runImport; the password is not kept. */
  unlockPdf: (passwordRequestId: string, password: string) => Promise<void>;
  /** Lets the waiting copy of a protected PDF go (`documents.discardPending`) and drops it from the refusals. */
  skipProtectedPdf: (passwordRequestId: string) => Promise<void>;
}

/** The check actions of the wizard store (see ./store.ts), given the shared helpers. */
export function checkActions({ set, get }: WizardKit): WizardCheckActions {
  const releaseId = () => get().release?.id ?? '';
  const runImport = (action: () => Promise<ChannelOutput<'documents.pick'>>, settles?: string) => get().runImport(action, settles);
  return {
    checkPatient: (id) => call('documents.checkPatient', { releaseId: id }),
    confirmPatient: (input) => call('documents.confirmPatient', { releaseId: releaseId(), ...input }),
    decidePatientConfirm: (input) => call('documents.decidePatientConfirm', { releaseId: releaseId(), ...input }),
    previewPage: (input) => call('documents.previewPage', input),
    addressStatus: (input) => call('recipients.addressStatus', input),
    sendAddressCode: (input) => call('recipients.sendCode', input),
    confirmAddressCode: (input) => call('recipients.confirmCode', input),
    async approve() {
      const release = get().release;
      if (!release) return;
      set({ evaluation: await call('releases.approve', { releaseId: release.id }) });
    },
    importDropped(files) {
      const id = releaseId();
      return runImport(async () => {
        try {
          await stageDroppedFiles(files);
        } catch {
          throw new ApiError('INTERNAL', 'The dropped files could not be read. Try “Add PDF files, photos or faxes” instead.');
        }
        return call('documents.importDropped', { releaseId: id });
      });
    },
    unlockPdf: (passwordRequestId, password) => runImport(() => call('documents.unlockPdf', { releaseId: releaseId(), passwordRequestId, password }), passwordRequestId),
    skipProtectedPdf: (passwordRequestId) =>
      runImport(async () => {
        await call('documents.discardPending', { passwordRequestId });
        return { imported: [], rejected: [] };
      }, passwordRequestId),
  };
}
