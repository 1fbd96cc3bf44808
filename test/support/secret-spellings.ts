/**
 * The spellings a secret takes on its way out of a process, written here for
 * the leak checks and never imported from src/config/secrets.ts: if the
 * redactor forgot a spelling and the checks read the redactor's own list,
 * the checks would forget it too and still pass.
 *
 * One spelling per way a value is commonly written:
 * - raw, and with spaces as `+` (a form body read back without decoding);
 * - between the quotes of a JSON string;
 * - a URL component (`encodeURIComponent`);
 * - a form field: as URLSearchParams and Java's URLEncoder write it (all but
 *   `*-._` and letters and digits escaped, spaces as `+`), as PHP's urlencode
 *   writes it (`*` escaped too), and as jQuery.param writes it (a URL
 *   component with spaces as `+`);
 * - base64, standard (padded and not) and URL-safe, as in a Basic header, a
 *   JWT or a payload;
 * - the UTF-8 bytes read back as Latin-1, as a server that guesses the charset
 *   writes them.
 */
export function secretSpellings(secret: string): string[] {
  const utf8 = Buffer.from(secret, 'utf8');
  const base64 = utf8.toString('base64');
  const percent = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const formEncoded = (keep: RegExp) =>
    [...utf8]
      .map((byte) =>
        byte === 0x20
          ? '+'
          : keep.test(String.fromCharCode(byte))
            ? String.fromCharCode(byte)
            : percent(byte),
      )
      .join('');
  const spellings = [
    secret,
    secret.split(' ').join('+'),
    jsonEscaped(secret),
    encodeURIComponent(secret),
    formEncoded(/^[A-Za-z0-9*\-._]$/),
    formEncoded(/^[A-Za-z0-9\-._]$/),
    encodeURIComponent(secret).split('%20').join('+'),
    base64,
    base64.replace(/=+$/, ''),
    base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
    utf8.toString('latin1'),
  ];
  return [...new Set(spellings)];
}

/** The secret as it appears between the quotes of a JSON string (RFC 8259 escapes, non-ASCII kept). */
function jsonEscaped(value: string): string {
  const named: Record<string, string> = {
    '"': '\\"',
    '\\': '\\\\',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
  };
  return [...value]
    .map((char) => {
      if (named[char]) return named[char];
      const code = char.charCodeAt(0);
      return code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : char;
    })
    .join('');
}
