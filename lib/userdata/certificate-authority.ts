/**
 * The `--certificate-authority` value: base64 of PEM text holding the
 * cluster's CA certificates and nothing else, as `aws eks describe-cluster`
 * returns it. User data is readable through IMDS, so anything else pasted
 * here (a private key, a kubeconfig) would leak; the problems never quote the content.
 */

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_BEGIN = /-----BEGIN ([^\r\n]*?)-----/g;
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END CERTIFICATE-----/g;
/** PEM labels (RFC 7468) are short upper-case words; anything else is not repeated. */
const SHOWABLE_LABEL = /^[A-Z0-9 ]{1,40}$/;
/** Every X.509 certificate is a DER SEQUENCE. */
const DER_SEQUENCE = 0x30;

/** Why `value` is not a base64 CA bundle of PEM CERTIFICATE blocks, or undefined when it is one. Never quotes the content. */
export function certificateAuthorityProblem(value: string): string | undefined {
  if (!BASE64.test(value) || value.length % 4 !== 0) return 'it is not base64';
  const pem = Buffer.from(value, 'base64').toString('latin1');
  for (const [, label] of pem.matchAll(PEM_BEGIN)) {
    if (label !== 'CERTIFICATE') return SHOWABLE_LABEL.test(label) ? `it decodes to a PEM "${label}" block` : 'it decodes to a PEM block that is not a certificate';
  }
  const blocks = [...pem.matchAll(CERTIFICATE_BLOCK)];
  if (blocks.length === 0) return 'it decodes to no PEM CERTIFICATE block';
  if (pem.replace(CERTIFICATE_BLOCK, '').trim() !== '') return 'it decodes to text outside its PEM CERTIFICATE blocks';
  for (const [, body] of blocks) {
    const der = Buffer.from(body.replace(/\s/g, ''), 'base64');
    if (der.length === 0 || der[0] !== DER_SEQUENCE) return 'a PEM CERTIFICATE block does not hold a DER certificate';
  }
  return undefined;
}
