/**
 * Plain words for the enhanced status code of a bounce (RFC 3463 class.subject.detail), for staff. Shared so the
 * renderer and the main process say the same thing. Codes only in, constant text out: a bounce's own diagnostic
 * text can quote names and is never shown.
 */

/** Whether `s` looks like an enhanced status code (RFC 3463 §2: class 2/4/5, subject and detail 1–3 digits). */
export function isEnhancedStatus(s: string): boolean {
  return /^[245]\.\d{1,3}\.\d{1,3}$/.test(s);
}

/**
 * What a bounce's status code means, in plain words, e.g. '5.1.1' → "The recipient's email address does not exist."
 * @param status enhanced status code (RFC 3463 §3); anything else gives the general sentence
 * @returns one sentence (no PHI, no server text)
 * @source RFC 3463 §3.2–3.8 (subject codes); RFC 5248 (registry, e.g. X.1.10 null MX)
 */
export function bounceReason(status: string): string {
  const [cls, subject, detail] = status.split('.');
  if (cls === '4') return "The recipient's mail server has not accepted the message yet and is still trying.";
  if (subject === '1') {
    if (detail === '1' || detail === '10') return "The recipient's email address does not exist.";
    if (detail === '2') return "The recipient's email domain does not exist or does not receive email.";
    return "The recipient's email address could not be used.";
  }
  if (subject === '2') {
    if (detail === '2') return "The recipient's mailbox is full.";
    if (detail === '1') return "The recipient's mailbox is disabled.";
    if (detail === '3') return "The message was too large for the recipient's mailbox.";
    return "The recipient's mailbox could not take the message.";
  }
  if (subject === '3' && detail === '4') return "The message was too large for the recipient's mail server.";
  if (subject === '7') return "The recipient's mail server refused the message because of its security policy.";
  if (subject === '4') return "The message could not be routed to the recipient's mail server.";
  return "The recipient's mail server could not deliver the message.";
}
