/**
 * Every audit event code the main process can write has a plain-language label (src/shared/audit-labels.ts),
 * so the Audit screen and the report PDFs never show a raw code. The codes are read from the source with the
 * TypeScript parser: `action: '<code>'` in object literals (session.audit, appendAudit, the release state
 * machine's `audit: { action }`), and the code argument of every function that writes an event for its caller
 * (Session.audited / recordFailure and the services' wrappers). Both branches of a conditional count.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, describeAuditEvent } from '../../../src/shared/audit-labels';

const ROOT = join(__dirname, '../../../src/main');
const CODE = /^[a-z0-9]+(?:_[a-z0-9]+)*\.[a-z0-9]+(?:_[a-z0-9]+)*$/;

/** Functions whose argument at this index is the event code they write (or pass on to Session.audited / recordFailure). */
const WRITERS: Record<string, number> = {
  audited: 0, // Session.audited(action, subject, fn, detail)
  recordFailure: 0, // Session.recordFailure(action, subject, e, extra)
  refuseAudited: 0, // RequestService
  requireOfficer: 0, // RetentionService
  auditVerification: 0, // AuditService
  chooseFolder: 0, // AuditService (records EXPORT_UNAVAILABLE under the code)
  finishExport: 0, // AuditService
  close: 3, // RequestService.close(requestId, to, reason, action)
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** String literals of event-code shape inside an expression (both branches of `a ? 'x' : 'y'`). */
function codesIn(e: ts.Node, out: Set<string>, where: string, sites: Map<string, string>): void {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    if (CODE.test(e.text)) {
      out.add(e.text);
      if (!sites.has(e.text)) sites.set(e.text, where);
    }
    return;
  }
  if (ts.isConditionalExpression(e)) {
    codesIn(e.whenTrue, out, where, sites);
    codesIn(e.whenFalse, out, where, sites);
  } else if (ts.isParenthesizedExpression(e) || ts.isBinaryExpression(e)) {
    ts.forEachChild(e, (c) => codesIn(c, out, where, sites));
  }
}

/** Every event code written by src/main, with one place each is written. */
function emittedCodes(): Map<string, string> {
  const sites = new Map<string, string>();
  const found = new Set<string>();
  for (const file of files(ROOT)) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (n: ts.Node) => `${file.slice(ROOT.length + 1)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text === 'action') codesIn(n.initializer, found, where(n), sites);
      if (ts.isCallExpression(n)) {
        const callee = ts.isPropertyAccessExpression(n.expression) ? n.expression.name.text : ts.isIdentifier(n.expression) ? n.expression.text : '';
        const i = WRITERS[callee];
        const arg = i === undefined ? undefined : n.arguments[i];
        if (arg) codesIn(arg, found, where(n), sites);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return sites;
}

describe('every audit event the app writes has a plain-language label', () => {
  const emitted = emittedCodes();

  it('finds the event codes of every kind of writer (the scan itself works)', () => {
    // one from each writer form: object literal, state-machine transition, ternary branch, audited, recordFailure, wrappers
    for (const c of ['request.view', 'release.requeue', 'release.part_failed', 'release.part_unconfirmed', 'release.passphrase_view', 'rpc.input_refused', 'audit.verify', 'retention.purge']) {
      expect(emitted.has(c), c).toBe(true);
    }
    expect(emitted.size).toBeGreaterThanOrEqual(90);
  });

  it('has a label for each code written', () => {
    const missing = [...emitted].filter(([c]) => !AUDIT_ACTIONS[c]).map(([c, at]) => `${c} (${at})`);
    expect(missing).toEqual([]);
  });

  it('describes each written code without showing the code', () => {
    for (const c of emitted.keys()) {
      const s = describeAuditEvent({ actor: 'Dana Frontdesk', action: c, outcome: 'success', detail: {} }, { releaseReference: 'R-2026-00004', requestReference: 'Q-2026-00002' });
      expect(s, c).not.toContain(c);
      expect(s, c).toMatch(/^Dana Frontdesk [a-z]/);
    }
  });
});
