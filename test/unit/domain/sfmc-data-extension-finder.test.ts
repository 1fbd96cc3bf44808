/**
 * Which data extension a V1 SFMC dataflow migrates to, as the indexed finder
 * decides it: the same answer a scan of every data extension gives, for a
 * tenant of thousands.
 */
import { describe, expect, it } from 'vitest';
import { dataExtensionFinder } from '../../../src/domain/sfmc/plan';

const extension = (name: string, key = `key-${name}`) => ({ name, key });
const flowReading = (path: string) => ({ sourceConnection: { path } }) as never;

describe('the data extension a V1 dataflow migrates to', () => {
  const extensions = [
    extension('Campaigns'),
    extension('subscriber'),
    extension('Subscribers'),
    extension('Orders', 'ORD-1'),
    extension('Événements'),
  ];

  it('matches its object by name, singular or plural, case aside, the first in the list winning', () => {
    const find = dataExtensionFinder(extensions, {});
    expect(find(flowReading('Subscriber'))?.name).toBe('subscriber');
    expect(find(flowReading('Campaign'))?.name).toBe('Campaigns');
    expect(find(flowReading('Campaigns'))?.name).toBe('Campaigns');
    expect(find(flowReading('Order'))?.name).toBe('Orders');
    expect(find(flowReading('Evenements'))).toBeUndefined();
    expect(find(flowReading('Lead'))).toBeUndefined();
  });

  it('takes the configured one by name or key over a look-alike', () => {
    const find = dataExtensionFinder(extensions, {
      dataExtensionFor: { Subscriber: 'SUBSCRIBERS', Purchase: 'ORD-1', Lead: 'Missing' },
    });
    expect(find(flowReading('Subscriber'))?.name).toBe('Subscribers');
    expect(find(flowReading('Purchase'))?.name).toBe('Orders');
    expect(find(flowReading('Lead'))).toBeUndefined();
  });

  it('finds each of 1,000 dataflows’ data extensions among a tenant’s 20,000', () => {
    const many = Array.from({ length: 20_000 }, (_, index) => extension(`Object${index}s`));
    const find = dataExtensionFinder(many, {});
    const found = Array.from({ length: 1_000 }, (_, index) => find(flowReading(`Object${index * 20}`))?.name);
    expect(found.every((name, index) => name === `Object${index * 20}s`)).toBe(true);
  });
});
