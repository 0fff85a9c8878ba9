/**
 * Recognising the sign-in policies of known providers from an AUTH reply.
 *
 * Microsoft 365 and Gmail refuse a correct password for policy reasons with
 * documented enhanced status codes and texts; these read exactly like a wrong
 * password unless told apart. The reply is only matched here, never copied:
 * the result is one of the constant rows of SMTP_PROVIDER_POLICIES.
 */
import { findProviderPolicy, type SmtpProviderPolicy } from '../../../shared/smtp-failures';

/** [pattern over the whole (multi-line) reply, provider, reason]; first match wins, most specific first. */
const RULES: [RegExp, 'microsoft365' | 'gmail', string][] = [
  // Microsoft 365 / Exchange Online (535 5.7.139 …; 550 5.7.30 after basic auth for SMTP AUTH is retired).
  [/security defaults/i, 'microsoft365', 'security-defaults'],
  [/SmtpClientAuthentication is disabled/i, 'microsoft365', 'smtp-auth-disabled'],
  [/\b5\.7\.30\b|basic authentication is (disabled|not supported)/i, 'microsoft365', 'basic-auth-disabled'],
  [/did not meet the criteria to be authenticated/i, 'microsoft365', 'smtp-auth-disabled'],
  [/\b5\.7\.139\b/, 'microsoft365', 'smtp-auth-disabled'],
  // Gmail (534-5.7.9 InvalidSecondFactor; 535-5.7.8 BadCredentials; 534-5.7.14 WebLoginRequired).
  [/Application-specific password required|p=InvalidSecondFactor/i, 'gmail', 'app-password-required'],
  [/Username and Password not accepted|p=BadCredentials/i, 'gmail', 'password-not-accepted'],
  [/\b5\.7\.14\b.*(log ?in via your web browser|WebLoginRequired)|p=WebLoginRequired/is, 'gmail', 'web-login-required'],
];

/**
 * The known provider policy behind an AUTH refusal, or undefined for anything else
 * (a plain wrong password, RFC 4954 "535 5.7.8 Authentication credentials invalid", stays SMTP_AUTH_FAILED).
 *
 * @param reply the server's full reply to AUTH (all lines); read, never stored.
 * @returns a constant row of SMTP_PROVIDER_POLICIES.
 * @source Microsoft Learn "Enable or disable SMTP AUTH in Exchange Online" (5.7.139, SmtpClientAuthentication);
 *   Microsoft Entra security defaults; Google Account Help "Sign in with app passwords" (5.7.9, 5.7.8).
 */
export function recognizeProviderPolicy(reply: string): SmtpProviderPolicy | undefined {
  if (!reply) return undefined;
  for (const [re, provider, reason] of RULES) {
    if (re.test(reply)) return findProviderPolicy(provider, reason);
  }
  return undefined;
}
