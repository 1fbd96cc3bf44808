/**
 * Marketo credentials as users paste them (Munchkin ID, Client ID, Client
 * Secret), checked before any call so that a typo fails once, clearly, and is
 * never retried.
 */

export type MarketoCredentialField = 'munchkinId' | 'clientId' | 'clientSecret';

export interface MarketoCredentials {
  munchkinId: string;
  clientId: string;
  clientSecret: string;
}

const FIELD_LABELS: Record<MarketoCredentialField, string> = {
  munchkinId: 'Munchkin ID',
  clientId: 'Client ID',
  clientSecret: 'Client Secret',
};

/** Every documented Munchkin ID has this form (e.g. 284-RPR-133); Marketo publishes no official pattern. */
export const MUNCHKIN_ID_PATTERN = /^\d{3}-[A-Z]{3}-\d{3}$/;
export const MUNCHKIN_ID_EXAMPLE = '123-ABC-456';

/** A credential that cannot work as given; retrying cannot help, the user has to fix it. */
export class MarketoCredentialError extends Error {
  constructor(
    readonly field: MarketoCredentialField,
    message: string,
  ) {
    super(message);
    this.name = 'MarketoCredentialError';
  }
}

function describeWhitespace(character: string): string {
  if (character === ' ' || character === '\u00a0') return 'a space';
  if (character === '\t') return 'a tab';
  if (character === '\n' || character === '\r') return 'a line break';
  return 'a whitespace character';
}

/** Trims the value and rejects what trimming cannot fix; messages name the field, never a secret's value. */
function normaliseField(field: MarketoCredentialField, value: string): string {
  const label = FIELD_LABELS[field];
  const trimmed = value.trim();
  if (!trimmed) throw new MarketoCredentialError(field, `${label} is empty; paste it from Marketo Admin.`);
  const inner = /\s/.exec(trimmed);
  if (inner) {
    throw new MarketoCredentialError(
      field,
      `${label} contains ${describeWhitespace(inner[0])}; paste it without added spaces.`,
    );
  }
  return trimmed;
}

export function normaliseMunchkinId(value: string): string {
  const pasted = normaliseField('munchkinId', value);
  const munchkinId = pasted.toUpperCase();
  if (!MUNCHKIN_ID_PATTERN.test(munchkinId)) {
    throw new MarketoCredentialError(
      'munchkinId',
      `Munchkin ID "${pasted}" is not in the expected form NNN-AAA-NNN (three digits, three letters, three digits), e.g. ${MUNCHKIN_ID_EXAMPLE}.`,
    );
  }
  return munchkinId;
}

export function normaliseMarketoCredentials(input: MarketoCredentials): MarketoCredentials {
  return {
    munchkinId: normaliseMunchkinId(input.munchkinId),
    clientId: normaliseField('clientId', input.clientId),
    clientSecret: normaliseField('clientSecret', input.clientSecret),
  };
}

/**
 * The instance base URL a MarketoClient is pointed at. With `simulatorBaseUrl`
 * it is the local simulator's stand-in for the same instance.
 */
export function marketoBaseUrl(munchkinId: string, options: { simulatorBaseUrl?: string } = {}): string {
  if (options.simulatorBaseUrl)
    return `${options.simulatorBaseUrl.replace(/\/+$/, '')}/marketo/${munchkinId}`;
  return `https://${munchkinId}.mktorest.com`;
}
