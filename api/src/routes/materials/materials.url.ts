// URL materials: http(s) only; every resolved address must be public (unless ALLOW_PRIVATE_TARGETS); a domain
// outside the verified list is accepted with a warning.
import { checkUrl, isOutboundError, privateTargetPolicy, type PrivateTargets } from '../../../../shared/src/net/index.js';

export async function checkMaterialUrl(
  raw: string,
  opts: { allowPrivate: PrivateTargets; verifiedDomains: string[] },
): Promise<{ url: string; warnings: string[] }> {
  let checked;
  try {
    checked = await checkUrl(raw.trim(), { allowPrivate: privateTargetPolicy(opts.allowPrivate) });
  } catch (err) {
    if (isOutboundError(err)) throw err.toValidationError(['body', 'source_url']);
    throw err;
  }
  const host = checked.hostname.toLowerCase();
  const verified = opts.verifiedDomains.some((d) => host === d || host.endsWith(`.${d}`));
  return {
    url: checked.url.toString(),
    warnings: verified ? [] : [`Domain "${host}" is not in the verified list; its content was not reviewed`],
  };
}
