import type { Services } from '../services';
import type { Handlers } from './dispatch';

/**
 * Every contract channel mapped to one service call. The `Handlers` type makes
 * this exhaustive: a channel added to the contract without a handler does not compile.
 */
export function createHandlers(s: Services): Handlers {
  return {
    'app.info': () => s.appInfo(),
    'setup.checkPassphrase': ({ passphrase, hints }) => s.setup.checkPassphrase(passphrase, hints),
    'setup.createVault': (input) => s.setup.createVault(input),
    'vault.unlock': async ({ passphrase }) => {
      await s.unlock(passphrase);
      return {};
    },
    'vault.lock': () => {
      s.session.lock();
      return {};
    },
    'settings.get': () => s.settings(),
    'releases.list': () => s.releases.list(),
    'releases.create': ({ patient }) => s.releases.create(patient),
    'releases.get': ({ id }) => s.releases.view(id),
    'documents.pick': ({ releaseId }) => s.releases.importPicked(releaseId),
    'documents.remove': ({ releaseId, documentId }) => s.releases.removeDocument(releaseId, documentId),
    'recipients.checkEmail': ({ email }) => s.checkEmail(email),
    'recipients.inspectKey': ({ armoredKey }) => s.inspectKey(armoredKey),
    'releases.setRecipient': (input) => s.releases.setRecipient(input),
    'releases.send': ({ releaseId }) => s.releases.send(releaseId),
    'audit.events': ({ limit }) => s.audit.events(limit),
    'audit.transmissions': () => s.audit.transmissions(),
    'audit.verify': () => s.audit.verify(),
  };
}
