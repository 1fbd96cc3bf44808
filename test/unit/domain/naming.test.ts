import { describe, expect, it } from 'vitest';
import {
  cutoverTag,
  marketoCardLabel,
  marketoV2Names,
  sfmcV2Names,
  v2Name,
} from '../../../src/domain/naming';

describe('cutoverTag', () => {
  it('tags an object with its kind and the full V1 id', () => {
    expect(cutoverTag('sfmc', 'flow-7f3a')).toBe('cutover:sfmc:flow-7f3a');
    expect(cutoverTag('sfmc-base', 'conn-1')).toBe('cutover:sfmc-base:conn-1');
  });
});

describe('v2Name', () => {
  it('labels the V1 name V2 by default and carries the V1 id, so equal V1 names never collide', () => {
    expect(v2Name('Subscribers to AEP', 'flow-1')).toBe('Subscribers to AEP (V2) [cutover flow-1]');
    expect(v2Name('Subscribers to AEP', 'flow-2')).toBe('Subscribers to AEP (V2) [cutover flow-2]');
    expect(v2Name('Newsletter', 'flow-1', 'Marketo Engage')).toBe(
      'Newsletter (Marketo Engage) [cutover flow-1]',
    );
  });

  it('replaces quotes, commas and backslashes, which a name filter cannot match, and trims the ends', () => {
    expect(v2Name('"Loyalty, EMEA"', 'flow-9')).toBe('Loyalty  EMEA (V2) [cutover flow-9]');
    expect(v2Name("Bob's\\list", 'flow-9')).toBe('Bob s list (V2) [cutover flow-9]');
    expect(v2Name('  Spaced out  ', 'flow-9')).toBe('Spaced out (V2) [cutover flow-9]');
  });
});

describe('sfmcV2Names', () => {
  it('names the V2 flow, its connections and its mapping set after the V1 dataflow', () => {
    expect(sfmcV2Names({ name: 'SFMC Subscriber to AEP', flowId: 'flow-1' })).toEqual({
      flow: 'SFMC Subscriber to AEP (V2) [cutover flow-1]',
      sourceConnection: 'SFMC Subscriber to AEP source (V2) [cutover flow-1]',
      targetConnection: 'SFMC Subscriber to AEP dataset (V2) [cutover flow-1]',
      mappingSet: 'cutover:sfmc:flow-1',
    });
  });
});

describe('marketoV2Names', () => {
  it('labels the objects with the destination card, so switching cards never reuses one', () => {
    expect(marketoCardLabel('marketoV2')).toBe('V2');
    expect(marketoCardLabel('marketoEngage')).toBe('Marketo Engage');
    expect(marketoV2Names({ name: 'Newsletter audiences', flowId: 'flow-1' }, 'marketoV2')).toEqual({
      flow: 'Newsletter audiences (V2) [cutover flow-1]',
      targetConnection: 'Newsletter audiences Marketo target (V2) [cutover flow-1]',
    });
    expect(marketoV2Names({ name: 'Newsletter audiences', flowId: 'flow-1' }, 'marketoEngage')).toEqual({
      flow: 'Newsletter audiences (Marketo Engage) [cutover flow-1]',
      targetConnection: 'Newsletter audiences Marketo target (Marketo Engage) [cutover flow-1]',
    });
  });
});
