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

function channelHandlers(s: Services): Handlers {
  return {
    'app.info': () => s.appInfo(),
    'setup.checkPassphrase': ({ passphrase, hints }) => s.setup.checkPassphrase(passphrase, hints),
    'setup.createVault': (input) => s.setup.createVault(input),
    'vault.unlock': async ({ passphrase, username, code }) => {
      await s.unlock(passphrase, { ...(username !== undefined ? { username } : {}), ...(code !== undefined ? { code } : {}) });
      return {};
    },
    'vault.lock': () => {
      s.session.lock();
      return {};
    },
    'settings.get': () => s.settings(),
    'practiceServer.status': () => s.practiceServer.status(),
    'practiceServer.test': (input) => s.practiceServer.test(input),
    'practiceServer.configure': (input) => s.practiceServer.configure(input),
    'practiceServer.disconnect': () => s.practiceServer.disconnect(),
    'releases.list': () => s.releases.list(),
    'releases.create': ({ requestId }) => s.releases.create(requestId),
    'releases.get': ({ id }) => s.releases.view(id),
    'documents.pick': ({ releaseId }) => s.releases.importPicked(releaseId),
    'documents.importDropped': ({ releaseId }) => s.documents.importDropped(releaseId),
    'documents.unlockPdf': ({ releaseId, passwordRequestId, password }) => s.documents.unlockPdf(releaseId, passwordRequestId, password),
    'documents.discardPending': ({ passwordRequestId }) => {
      s.documents.discardPending(passwordRequestId);
      return {};
    },
    'documents.remove': ({ releaseId, documentId }) => s.releases.removeDocument(releaseId, documentId),
    'recipients.checkEmail': ({ email }) => s.checkEmail(email),
    'recipients.inspectKey': ({ armoredKey }) => s.inspectKey(armoredKey),
    'releases.setRecipient': (input) => s.releases.setRecipient(input),
    'recipients.addressStatus': ({ releaseId, email }) => s.addressConfirmations.status(releaseId, email),
    'recipients.sendCode': ({ releaseId, email }) => s.addressConfirmations.sendCode(releaseId, email),
    'recipients.confirmCode': ({ releaseId, email, code }) => s.addressConfirmations.confirmCode(releaseId, email, code),
    'releases.send': ({ releaseId, method }) => s.releases.send(releaseId, method),
    'releases.deliveryOptions': ({ releaseId }) => s.releases.deliveryOptions(releaseId),
    'releases.export': ({ releaseId }) => s.releases.exportRelease(releaseId),
    'releases.printable': ({ releaseId }) => s.releases.printable(releaseId),
    'releases.outbox': () => s.releases.workflow.outbox(),
    'releases.resolveUnconfirmed': ({ releaseId, choice }) => s.releases.resolveUnconfirmed(releaseId, choice),
    'releases.withdraw': ({ releaseId, how }) => s.releases.withdraw(releaseId, how),
    'releases.revealPassphrase': ({ releaseId }) => s.releases.workflow.revealPassphrase(releaseId),
    'releases.passphraseGiven': ({ releaseId }) => {
      s.releases.workflow.passphraseGiven(releaseId);
      return {};
    },
    'releases.pauseQueue': ({ releaseId, paused }) => s.releases.pauseQueue(releaseId, paused),
    'settings.setDelivery': (input) => s.releases.setDeliverySettings(input),
    'settings.getIdleLock': () => s.idleLock(),
    'settings.setIdleLock': (input) => s.setIdleLock(input),
    'settings.updateSmtp': (input) => s.updateSmtp(input),
    'settings.testSmtp': (input) => s.testSmtp(input),
    'settings.exportPracticeKey': () => s.exportPracticeKey(),
    'settings.importPracticeKey': (input) => s.importPracticeKey(input),
    'settings.getBounceMailbox': () => s.bounces.settings(),
    'settings.updateBounceMailbox': (input) => s.bounces.update(input),
    'settings.testBounceMailbox': (input) => s.bounces.test(input),
    'bounces.checkNow': () => s.bounces.checkNow('staff'),
    'releases.failureNotice': (input) => s.failureNotice(input.releaseId),
    'documents.classify': ({ releaseId, items }) => s.releases.classify(releaseId, items),
    'documents.export': ({ documentId }) => s.requests.exportDocument(documentId),
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
    'authorizations.save': ({ requestId, authorizationId, authorization }) => s.requests.saveAuthorization(requestId, authorization, authorizationId),
    'authorizations.revoke': ({ authorizationId, revocation }) => s.requests.revokeAuthorization(authorizationId, revocation),
    'authorizations.attachSignedForm': ({ authorizationId }) => s.requests.attachSignedForm(authorizationId),
    'authorizations.form': (input) => s.requests.authorizationForm(input),
    'part2Consents.save': ({ requestId, consent }) => s.requests.savePart2Consent(requestId, consent),
    // authorization and consent rules (issue #15)
    'part2Consents.revoke': ({ consentId, revocation }) => s.requests.revokePart2Consent(consentId, revocation),
    'requests.amend': ({ requestId, ...change }) => s.requests.amend(requestId, change),
    'requests.withdrawUnencryptedEmailChoice': ({ requestId, acknowledgmentId }) => s.requests.withdrawUnencryptedEmailChoice(requestId, acknowledgmentId),
    'requests.recordRepresentativeAuthority': ({ requestId, ...check }) => s.requests.recordRepresentativeAuthority(requestId, check),
    'audit.events': ({ limit }) => s.audit.events(limit),
    'audit.transmissions': () => s.audit.transmissions(),
    'audit.verify': () => s.audit.verify(),
    // ---- audit reports (issue #10)
    'audit.query': (input) => s.auditReports.query(input),
    'audit.verifyChain': () => s.auditReports.verify(),
    'audit.checkReceipt': ({ receipt }) => s.auditReports.checkReceipt(receipt),
    'audit.exportReport': ({ filter }) => s.auditReports.exportReport(filter),
    'audit.patients': ({ query }) => s.auditReports.patients(query),
    'audit.accounting': ({ mrn, asOf }) => s.auditReports.accounting(mrn, asOf),
    'audit.exportAccounting': ({ mrn, asOf }) => s.auditReports.exportAccounting(mrn, asOf),
    'audit.accessReport': (input) => s.auditReports.accessReport(input),
    'audit.exportAccessReport': (input) => s.auditReports.exportAccessReport(input),
    'audit.recordDisclosure': (input) => s.auditReports.recordDisclosure(input),
    'audit.recordSuspension': (input) => s.auditReports.recordSuspension(input),
    'settings.updatePractice': (input) => s.updatePractice(input),
    'documents.checkPatient': ({ releaseId }) => s.patientChecks.checkRelease(releaseId),
    'documents.confirmPatient': ({ releaseId, documentId, reason }) => s.patientChecks.confirm(releaseId, documentId, reason),
    // --- retention, legal hold, backup and the compliance dashboard (issue #13) ---
    'retention.get': () => s.retention.view(),
    'retention.setPolicy': (input) => s.retention.setPolicy(input),
    'retention.placeHold': (input) => s.retention.placeHold(input),
    'retention.releaseHold': ({ holdId }) => s.retention.releaseHold(holdId),
    'retention.purge': () => s.retention.purge('staff'),
    'backup.create': () => s.retention.backup(),
    'backup.restore': ({ passphrase }) => s.restore(passphrase),
    'dashboard.get': () => s.dashboard(),
    // --- end retention ---
    // --- S/MIME (issue 18) ---
    'releases.importRecipientCertificate': async ({ releaseId, certificate }) => {
      await s.smime.importRecipientCertificate(releaseId, certificate);
      return s.releases.get(releaseId);
    },
    'releases.confirmRecipientCertificate': async ({ releaseId, fingerprint, acceptUntrusted, acceptRevocationUnknown, modernAlgorithms }) => {
      await s.smime.confirmRecipientCertificate(releaseId, fingerprint, acceptUntrusted, acceptRevocationUnknown, modernAlgorithms);
      return s.releases.get(releaseId);
    },
    'settings.smimeCertificate': () => s.smime.practiceView(),
    'settings.smimeCrls': () => s.smime.crls(),
    'settings.importSmimeCrl': ({ crl }) => s.smime.importCrl(crl),
    'settings.createSmimeCertificate': async ({ replaceFingerprint }) => {
      await s.smime.createPracticeCertificate(replaceFingerprint);
      return s.smime.practiceView()!;
    },
    'settings.importSmimeCertificate': async ({ pkcs12, password }) => {
      await s.smime.importPracticeCertificate(pkcs12, password);
      return s.smime.practiceView()!;
    },
    // --- staff accounts, MFA, two-person approval (issue #11) ---
    'accounts.me': () => s.accounts.me(),
    'accounts.list': () => s.accounts.list(),
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
    'settings.getSecurity': () => s.accounts.security(),
    'settings.setSecurity': (input) => s.accounts.setSecurity(input),
    'releases.approve': ({ releaseId }) => s.approveRelease(releaseId),
    // --- end staff accounts ---
    'documents.previewPage': ({ releaseId, documentId, page, width }) => s.patientChecks.previewPage(releaseId, documentId, page, width),
  };
}
