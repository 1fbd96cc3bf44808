import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../../src/simulator/flow-service/json-patch';
import { matchesFilter, parsePropertyFilter } from '../../src/simulator/flow-service/property-filters';

describe('the simulated property filter', () => {
  it('parses operators, OR lists and quoted values that contain commas', () => {
    expect(parsePropertyFilter('state==enabled')).toEqual({
      path: ['state'],
      operator: '==',
      values: ['enabled'],
    });
    expect(parsePropertyFilter('id==a,b')?.values).toEqual(['a', 'b']);
    expect(parsePropertyFilter('name=="Acme, Inc"')?.values).toEqual(['Acme, Inc']);
    expect(parsePropertyFilter('createdAt>=1700')).toMatchObject({ operator: '>=', values: ['1700'] });
  });

  it('fans out over array segments and compares numbers numerically', () => {
    const flow = { createdAt: 1800, targets: [{ spec: { id: 'x' } }, { spec: { id: 'y' } }] };
    expect(matchesFilter(flow, parsePropertyFilter('targets[].spec.id==y')!)).toBe(true);
    expect(matchesFilter(flow, parsePropertyFilter('targets[].spec.id==z')!)).toBe(false);
    expect(matchesFilter(flow, parsePropertyFilter('createdAt>900')!)).toBe(true);
  });
});

describe('the simulated JSON patch', () => {
  it('applies add, replace and remove, and refuses read-only fields', () => {
    const patched = applyJsonPatch(
      { name: 'a', list: [1, 2] },
      [
        { op: 'replace', path: '/name', value: 'b' },
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'remove', path: '/list/0' },
      ],
      new Set(['id']),
    );
    expect(patched).toEqual({ result: { name: 'b', list: [2, 3] } });
    expect(
      applyJsonPatch({ id: '1' }, [{ op: 'replace', path: '/id', value: '2' }], new Set(['id'])),
    ).toEqual({
      error: 'operation 0: /id cannot be changed',
    });
  });

  it('cannot reach Object.prototype', () => {
    const result = applyJsonPatch(
      { a: {} },
      [{ op: 'add', path: '/__proto__/polluted', value: true }],
      new Set(),
    );
    expect(result).toEqual({ error: 'operation 0: /__proto__/polluted is not a valid path' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
