import { describe, expect, it } from 'vitest';
import {
  MarketoCredentialError,
  marketoBaseUrl,
  normaliseMarketoCredentials,
  normaliseMunchkinId,
  type MarketoCredentialField,
  type MarketoCredentials,
} from '../../src/integrations/marketo';

const valid: MarketoCredentials = {
  munchkinId: '123-ABC-456',
  clientId: 'c0ffee00-1234-4abc-9def-000000000001',
  clientSecret: 'Sup3rS3cretValue',
};

function rejection(input: Partial<MarketoCredentials>): MarketoCredentialError {
  try {
    normaliseMarketoCredentials({ ...valid, ...input });
  } catch (error) {
    expect(error).toBeInstanceOf(MarketoCredentialError);
    return error as MarketoCredentialError;
  }
  throw new Error('expected the credentials to be rejected');
}

function expectRejected(
  input: Partial<MarketoCredentials>,
  field: MarketoCredentialField,
  message: string,
): void {
  const error = rejection(input);
  expect(error.field).toBe(field);
  expect(error.message).toBe(message);
  expect(error.name).toBe('MarketoCredentialError');
}

describe('normaliseMarketoCredentials', () => {
  it('trims surrounding whitespace from every field and upper-cases the Munchkin ID', () => {
    expect(
      normaliseMarketoCredentials({
        munchkinId: '  123-abc-456\n',
        clientId: `\t${valid.clientId} `,
        clientSecret: ` ${valid.clientSecret}\r\n`,
      }),
    ).toEqual(valid);
  });

  it('rejects empty fields, naming the field', () => {
    expectRejected({ munchkinId: '   ' }, 'munchkinId', 'Munchkin ID is empty; paste it from Marketo Admin.');
    expectRejected({ clientId: '' }, 'clientId', 'Client ID is empty; paste it from Marketo Admin.');
    expectRejected(
      { clientSecret: '\n' },
      'clientSecret',
      'Client Secret is empty; paste it from Marketo Admin.',
    );
  });

  it('rejects inner whitespace, naming the field and the kind of whitespace', () => {
    expectRejected(
      { clientId: 'c0ffee00 1234' },
      'clientId',
      'Client ID contains a space; paste it without added spaces.',
    );
    expectRejected(
      { munchkinId: '123-ABC -456' },
      'munchkinId',
      'Munchkin ID contains a space; paste it without added spaces.',
    );
    expectRejected(
      { clientSecret: 'Sup3r\tS3cret' },
      'clientSecret',
      'Client Secret contains a tab; paste it without added spaces.',
    );
    expectRejected(
      { clientSecret: 'Sup3r\nS3cret' },
      'clientSecret',
      'Client Secret contains a line break; paste it without added spaces.',
    );
    expectRejected(
      { clientId: 'c0ffee00\u00a01234' },
      'clientId',
      'Client ID contains a space; paste it without added spaces.',
    );
  });

  it('never puts the secret into a message', () => {
    const secret = 'Sup3r S3cret-Value';
    const error = rejection({ clientSecret: `  ${secret}  ` });
    expect(error.message).not.toContain('Sup3r');
    expect(error.message).not.toContain('S3cret-Value');
  });

  it('rejects a Munchkin ID that is not NNN-AAA-NNN, showing the expected form and an example', () => {
    for (const munchkinId of [
      '12-ABC-456',
      '123-AB1-456',
      '123ABC456',
      '123-ABCD-456',
      '1234-ABC-456',
      'ABC-123-DEF',
    ]) {
      expectRejected(
        { munchkinId },
        'munchkinId',
        `Munchkin ID "${munchkinId}" is not in the expected form NNN-AAA-NNN (three digits, three letters, three digits), e.g. 123-ABC-456.`,
      );
    }
  });

  it('shows a Munchkin ID as pasted (trimmed) when it is wrong', () => {
    expectRejected(
      { munchkinId: ' 123-ab-456 ' },
      'munchkinId',
      'Munchkin ID "123-ab-456" is not in the expected form NNN-AAA-NNN (three digits, three letters, three digits), e.g. 123-ABC-456.',
    );
  });

  it('checks the Munchkin ID on its own too', () => {
    expect(normaliseMunchkinId(' 284-rpr-133 ')).toBe('284-RPR-133');
  });
});

describe('marketoBaseUrl', () => {
  it('is the instance host on mktorest.com', () => {
    expect(marketoBaseUrl('284-RPR-133')).toBe('https://284-RPR-133.mktorest.com');
  });

  it('points at the simulated instance when given a simulator base URL', () => {
    expect(marketoBaseUrl('123-ABC-456', { simulatorBaseUrl: 'http://127.0.0.1:4010/' })).toBe(
      'http://127.0.0.1:4010/marketo/123-ABC-456',
    );
  });
});
