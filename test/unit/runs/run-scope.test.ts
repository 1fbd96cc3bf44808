import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load';
import { migrationWorkflowId, runScope } from '../../../src/runs/scope';

const config = parseConfig(
  {
    adobe: {
      orgId: 'ABC123@AdobeOrg',
      clientId: 'client',
      clientSecret: 'env:ADOBE_SECRET',
      scopes: ['openid'],
      sandboxes: [{ name: 'prod', autoApprove: true, retention: '14 days' }, { name: 'dev' }],
    },
  },
  'cutover.yaml',
);

describe('runScope', () => {
  it('covers every configured sandbox, in config order, with how each is approved', () => {
    const scope = runScope(config);
    expect(scope).toEqual({
      sandboxes: ['prod', 'dev'],
      approval: {
        prod: { autoApprove: true, retention: '14 days' },
        dev: { autoApprove: false },
      },
      problems: [],
    });
    expect(Object.keys(scope.approval.dev!)).toEqual(['autoApprove']);
    expect(runScope(config, [])).toEqual(scope);
  });

  it('narrows the run to the sandboxes named with --sandbox', () => {
    expect(runScope(config, ['dev'])).toEqual({
      sandboxes: ['dev'],
      approval: { dev: { autoApprove: false } },
      problems: [],
    });
  });

  it('names the sandboxes that are not configured, and the ones that are', () => {
    expect(runScope(config, ['dev', 'qa', 'stage'])).toEqual({
      sandboxes: ['dev'],
      approval: { dev: { autoApprove: false } },
      problems: ['--sandbox qa, stage: not in adobe.sandboxes (prod, dev)'],
    });
  });
});

describe('migrationWorkflowId', () => {
  it('names the same workflow for the same kind, org and sandboxes, whatever their order', () => {
    const sandboxes = ['prod', 'dev'];
    expect(migrationWorkflowId('sfmc-migration', 'ABC123@AdobeOrg', sandboxes)).toBe(
      'sfmc-migration/ABC123@AdobeOrg/dev+prod',
    );
    expect(migrationWorkflowId('sfmc-migration', 'ABC123@AdobeOrg', ['dev', 'prod'])).toBe(
      'sfmc-migration/ABC123@AdobeOrg/dev+prod',
    );
    expect(sandboxes).toEqual(['prod', 'dev']);
    expect(migrationWorkflowId('marketo-migration', 'ABC123@AdobeOrg', ['prod'])).toBe(
      'marketo-migration/ABC123@AdobeOrg/prod',
    );
  });
});
