import type { Services } from '../services';
import type { Handlers } from './dispatch';
import { withRoles } from './roles';

/**
 * Every contract channel mapped to one service call. The `Handlers` type makes
 * this exhaustive: a channel added to the contract without a handler does not compile.
 */
export function createHandlers(s: Services): Handlers {
  return withRoles(
    channelHandlers(s),
    () => s.session.access(),
    (action, channel, e) => s.session.recordFailure(action, { type: 'channel', id: channel }, e),
  );
}

/**
 * The channel → service map without the role check: every `'<namespace>.<verb>'` calls `s.<namespace>.<verb>(…)`
 * and nothing else (test/contract/services-match-channels.test.ts), adapting the input's shape and, where the
 * channel answers `{}`, the output.
 */
export function channelHandlers(s: Services): Handlers {
  return {
    'app.info': () => s.app.info(),
    'setup.checkPassphrase': ({ passphrase, hints }) => s.setup.checkPassphrase(passphrase, hints),
    'setup.createVault': (input) => s.setup.createVault(input),
    'vault.unlock': async ({ passphrase, username, code }) => {
      await s.vault.unlock(passphrase, { ...(username !== undefined ? { username } : {}), ...(code !== undefined ? { code } : {}) });
      return {};
    },
    'vault.lock': () => {
      s.vault.lock();
      return {};
    },
    'settings.get': () => s.settings.get(),
    'practiceServer.status': () => s.practiceServer.status(),
    'practiceServer.test': (input) => s.practiceServer.test(input),
    'practiceServer.configure': (input) => s.practiceServer.configure(input),
    'practiceServer.disconnect': () => s.practiceServer.disconnect(),
    'practiceServer.join': (input) => s.practiceServer.join(input),
    'practiceServer.sync': () => s.practiceServer.sync(),
    'practiceServer.conflicts': () => s.practiceServer.conflicts(),
    'practiceServer.resolveConflict': (input) => s.practiceServer.resolveConflict(input),
    'releases.list': () => s.releases.list(),
    'releases.create': ({ requestId }) => s.releases.create(requestId),
    'releases.get': ({ id }) => s.releases.get(id),
    'documents.pick': ({ releaseId }) => s.documents.pick(releaseId),
    'documents.importDropped': ({ releaseId }) => s.documents.importDropped(releaseId),
    'documents.unlockPdf': ({ releaseId, passwordRequestId, password }) => s.documents.unlockPdf(releaseId, passwordRequestId, password),
    'documents.discardPending': ({ passwordRequestId }) => {
      s.documents.discardPending(passwordRequestId);
      return {};
    },
    'documents.remove': ({ releaseId, documentId }) => s.documents.remove(releaseId, documentId),
    'recipients.checkEmail': ({ email }) => s.recipients.checkEmail(email),
    'recipients.inspectKey': ({ armoredKey }) => s.recipients.inspectKey(armoredKey),
    'releases.setRecipient': (input) => s.releases.setRecipient(input),
    'recipients.addressStatus': ({ releaseId, email }) => s.recipients.addressStatus(releaseId, email),
    'recipients.sendCode': ({ releaseId, email }) => s.recipients.sendCode(releaseId, email),
    'recipients.confirmCode': ({ releaseId, email, code }) => s.recipients.confirmCode(releaseId, email, code),
    'releases.send': ({ releaseId, method }) => s.releases.send(releaseId, method),
    'releases.deliveryOptions': ({ releaseId }) => s.releases.deliveryOptions(releaseId),
    'releases.export': ({ releaseId }) => s.releases.export(releaseId),
    'releases.printable': ({ releaseId }) => s.releases.printable(releaseId),
    'releases.outbox': () => s.releases.outbox(),
    'releases.resolveUnconfirmed': ({ releaseId, choice }) => s.releases.resolveUnconfirmed(releaseId, choice),
    'releases.withdraw': ({ releaseId, how }) => s.releases.withdraw(releaseId, how),
    'releases.revealPassphrase': ({ releaseId }) => s.releases.revealPassphrase(releaseId),
    'releases.passphraseGiven': ({ releaseId }) => {
      s.releases.passphraseGiven(releaseId);
      return {};
    },
    'releases.pauseQueue': ({ releaseId, paused }) => s.releases.pauseQueue(releaseId, paused),
    'settings.setDelivery': (input) => s.settings.setDelivery(input),
    'settings.getIdleLock': () => s.settings.getIdleLock(),
    'settings.setIdleLock': (input) => s.settings.setIdleLock(input),
    'settings.updateSmtp': (input) => s.settings.updateSmtp(input),
    'settings.testSmtp': (input) => s.settings.testSmtp(input),
    'settings.exportPracticeKey': () => s.settings.exportPracticeKey(),
    'settings.importPracticeKey': (input) => s.settings.importPracticeKey(input),
    'settings.getBounceMailbox': () => s.settings.getBounceMailbox(),
    'settings.updateBounceMailbox': (input) => s.settings.updateBounceMailbox(input),
    'settings.testBounceMailbox': (input) => s.settings.testBounceMailbox(input),
    'bounces.checkNow': () => s.bounces.checkNow('staff'),
    'releases.failureNotice': ({ releaseId }) => s.releases.failureNotice(releaseId),
    'documents.classify': ({ releaseId, items }) => s.documents.classify(releaseId, items),
    'documents.export': ({ documentId }) => s.documents.export(documentId),
    'releases.evaluate': ({ releaseId }) => s.releases.evaluate(releaseId),
    'releases.overrideScope': ({ releaseId, documentId, reason }) => s.releases.overrideScope(releaseId, documentId, reason),
    'requests.create': (input) => s.requests.create(input),
    'requests.list': () => s.requests.list(),
    'requests.get': ({ id }) => s.requests.get(id),
    'requests.setStatus': ({ requestId, status }) => s.requests.setStatus(requestId, status),
    'requests.recordVerification': ({ requestId, ...check }) => s.requests.recordVerification(requestId, check),
    'requests.extend': ({ requestId, reason, newDueDate }) => s.requests.extend(requestId, reason, newDueDate),
    'requests.deny': ({ requestId, reason }) => s.requests.deny(requestId, reason),
    'requests.denialNotice': ({ requestId, reviewable, elsewhere }) => s.requests.denialNotice(requestId, { reviewable, elsewhere }),
    'requests.withdraw': ({ requestId, note }) => s.requests.withdraw(requestId, note),
    'requests.recordUnencryptedEmailChoice': ({ requestId, prefersUnencrypted, chosenBy, scope }) =>
      s.requests.recordUnencryptedEmailChoice(requestId, { prefersUnencrypted, chosenBy, scope }),
    'authorizations.save': ({ requestId, authorizationId, authorization }) => s.authorizations.save(requestId, authorization, authorizationId),
    'authorizations.revoke': ({ authorizationId, revocation }) => s.authorizations.revoke(authorizationId, revocation),
    'authorizations.attachSignedForm': ({ authorizationId }) => s.authorizations.attachSignedForm(authorizationId),
    'authorizations.form': (input) => s.authorizations.form(input),
    'part2Consents.save': ({ requestId, consent }) => s.part2Consents.save(requestId, consent),
    // authorization and consent rules (issue #15)
    'part2Consents.revoke': ({ consentId, revocation }) => s.part2Consents.revoke(consentId, revocation),
    'requests.amend': ({ requestId, ...change }) => s.requests.amend(requestId, change),
    'requests.withdrawUnencryptedEmailChoice': ({ requestId, acknowledgmentId }) => s.requests.withdrawUnencryptedEmailChoice(requestId, acknowledgmentId),
    'requests.recordRepresentativeAuthority': ({ requestId, ...check }) => s.requests.recordRepresentativeAuthority(requestId, check),
    'audit.events': ({ limit }) => s.audit.events(limit),
    'audit.transmissions': () => s.audit.transmissions(),
    'audit.verify': () => s.audit.verify(),
    // ---- audit reports (issue #10)
    'audit.query': (input) => s.audit.query(input),
    'audit.verifyChain': () => s.audit.verifyChain(),
    'audit.checkReceipt': ({ receipt }) => s.audit.checkReceipt(receipt),
    'audit.exportReport': ({ filter }) => s.audit.exportReport(filter),
    'audit.patients': ({ query }) => s.audit.patients(query),
    'audit.accounting': ({ mrn, asOf }) => s.audit.accounting(mrn, asOf),
    'audit.exportAccounting': ({ mrn, asOf, copy }) => s.audit.exportAccounting(mrn, asOf, copy ?? 'officer'),
    'audit.accessReport': (input) => s.audit.accessReport(input),
    'audit.exportAccessReport': (input) => s.audit.exportAccessReport(input),
    'audit.recordDisclosure': (input) => s.audit.recordDisclosure(input),
    'audit.recordSuspension': (input) => s.audit.recordSuspension(input),
    'settings.updatePractice': (input) => s.settings.updatePractice(input),
    'documents.checkPatient': ({ releaseId }) => s.documents.checkPatient(releaseId),
    'documents.confirmPatient': ({ releaseId, documentId, reason }) => s.documents.confirmPatient(releaseId, documentId, reason),
    'documents.decidePatientConfirm': ({ releaseId, documentId, decision }) => s.documents.decidePatientConfirm(releaseId, documentId, decision),
    // --- retention, legal hold, backup and the compliance dashboard (issue #13) ---
    'retention.get': () => s.retention.get(),
    'retention.setPolicy': (input) => s.retention.setPolicy(input),
    'retention.placeHold': (input) => s.retention.placeHold(input),
    'retention.releaseHold': ({ holdId }) => s.retention.releaseHold(holdId),
    'retention.purge': () => s.retention.purge('staff'),
    'backup.create': () => s.backup.create(),
    'backup.restore': ({ passphrase }) => s.backup.restore(passphrase),
    'dashboard.get': () => s.dashboard.get(),
    // --- end retention ---
    // --- S/MIME (issue 18) ---
    'releases.importRecipientCertificate': ({ releaseId, certificate }) => s.releases.importRecipientCertificate(releaseId, certificate),
    'releases.confirmRecipientCertificate': ({ releaseId, fingerprint, ...opts }) => s.releases.confirmRecipientCertificate(releaseId, fingerprint, opts),
    'settings.smimeCertificate': () => s.settings.smimeCertificate(),
    'settings.smimeCrls': () => s.settings.smimeCrls(),
    'settings.importSmimeCrl': ({ crl }) => s.settings.importSmimeCrl(crl),
    'settings.createSmimeCertificate': ({ replaceFingerprint }) => s.settings.createSmimeCertificate(replaceFingerprint),
    'settings.importSmimeCertificate': ({ pkcs12, password }) => s.settings.importSmimeCertificate(pkcs12, password),
    // --- staff accounts, MFA, two-person approval (issue #11) ---
    'accounts.me': () => s.accounts.me(),
    'accounts.list': () => s.accounts.list(),
    'accounts.practiceStaff': () => s.accounts.practiceStaff(),
    'accounts.add': ({ name, role, passphrase }) => s.accounts.add(name, role, passphrase),
    'accounts.deactivate': ({ userId }) => s.accounts.deactivate(userId),
    'accounts.resetPassphrase': ({ userId, passphrase, resetMfa }) => s.accounts.resetPassphrase(userId, passphrase, resetMfa),
    'accounts.setRole': ({ userId, role }) => s.accounts.setRole(userId, role),
    'accounts.changePassphrase': async ({ current, next }) => {
      await s.accounts.changePassphrase(current.passphrase, next.passphrase);
      return {};
    },
    'accounts.startMfa': () => s.accounts.startMfa(),
    'accounts.confirmMfa': ({ code }) => s.accounts.confirmMfa(code),
    'settings.getSecurity': () => s.settings.getSecurity(),
    'settings.setSecurity': (input) => s.settings.setSecurity(input),
    'releases.approve': ({ releaseId }) => s.releases.approve(releaseId),
    // --- end staff accounts ---
    'documents.previewPage': ({ releaseId, documentId, page, width }) => s.documents.previewPage(releaseId, documentId, page, width),
  };
}
