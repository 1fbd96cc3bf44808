import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../../src/project-root';
import { OpenApiResponseValidator } from '../support/openapi-validator';
import type { OpenApiSpecFile } from '../support/openapi-validator';

const flowService = OpenApiResponseValidator.load('flow-service.yaml');
const FLOW_ID = '3d17a3d4-6e0c-4b4f-97a3-d46e0c6b4f42';

const flowSpecId = '6499120c-0b15-42dc-936e-847ea3c24d72';
const sourceConnectionSpec = { id: 'cfc0fee1-7dc0-40ef-b73e-847a1ba2b31d', version: '1.0' };

/** Shaped like GET /flows/{FLOW_ID} answers: a FlowListResponse holding one FlowItemDTO. */
function flowListBody(): { items: Array<Record<string, unknown>> } {
  return {
    items: [
      {
        id: FLOW_ID,
        createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_100_000,
        createdBy: 'acp_foundation_connectors@AdobeID',
        updatedBy: 'acp_foundation_connectors@AdobeID',
        createdClient: 'exc_app',
        updatedClient: 'exc_app',
        sandboxId: 'd537df80-c5d7-11e9-aafb-87c71c35cac8',
        sandboxName: 'prod',
        imsOrgId: 'ABC123@AdobeOrg',
        name: 'Marketo leads to Platform',
        flowSpec: { id: flowSpecId, version: '1.0' },
        state: 'enabled',
        version: '"0a0037be-0000-0200-0000-602e06f60000"',
        etag: '"0a0037be-0000-0200-0000-602e06f60000"',
        sourceConnectionIds: ['b7581b59-c603-4df1-a689-d23d7ac440f3'],
        targetConnectionIds: ['320f119a-5ac1-4ab1-88ea-eb19e674ea2e'],
        inheritedAttributes: {
          sourceConnections: [
            {
              id: 'b7581b59-c603-4df1-a689-d23d7ac440f3',
              connectionSpec: sourceConnectionSpec,
              baseConnection: {
                id: '4cb0c374-d3bb-4557-b139-5712880adc55',
                connectionSpec: sourceConnectionSpec,
              },
            },
          ],
          targetConnections: [
            {
              id: '320f119a-5ac1-4ab1-88ea-eb19e674ea2e',
              connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
            },
          ],
        },
        scheduleParams: { startTime: 1_700_000_000, frequency: 'minute', interval: '15' },
        transformations: [
          { name: 'Mapping', params: { mappingId: 'bf5286a9c1ad4266baca76ba3adc9366', mappingVersion: '0' } },
        ],
        runs: `/runs?property=flowId==${FLOW_ID}`,
        lastOperation: { started: 1_700_000_000_000, updated: 0, operation: 'create' },
      },
    ],
  };
}

function errorsOf(method: string, requestPath: string, status: number, body: unknown): string[] {
  return flowService.validate(method, requestPath, status, body).errors;
}

describe('OpenApiResponseValidator', () => {
  it('loads each spec once', () => {
    expect(OpenApiResponseValidator.load('flow-service.yaml')).toBe(flowService);
  });

  describe('response bodies', () => {
    it('accepts a realistic flow', () => {
      const result = flowService.validate('GET', `/flows/${FLOW_ID}`, 200, flowListBody());
      expect(result).toEqual({ operation: 'GET /flows/{FLOW_ID}', errors: [] });
    });

    it('names the JSON pointer of a field with the wrong type', () => {
      const body = flowListBody();
      body.items[0] = { ...body.items[0], id: 42 };
      expect(errorsOf('GET', `/flows/${FLOW_ID}`, 200, body)).toEqual([
        'GET /flows/{FLOW_ID} 200: /items/0/id must be string',
      ]);
    });

    it('rejects items given as an object instead of an array', () => {
      const body = { items: flowListBody().items[0] };
      expect(errorsOf('GET', `/flows/${FLOW_ID}`, 200, body)).toEqual([
        'GET /flows/{FLOW_ID} 200: /items must be array',
      ]);
    });

    it('reports every violation, including required fields of referenced schemas', () => {
      const body = flowListBody();
      body.items[0] = { ...body.items[0], createdAt: 'yesterday', transformations: [{ name: 'Mapping' }] };
      expect(errorsOf('GET', `/flows/${FLOW_ID}`, 200, body)).toEqual([
        'GET /flows/{FLOW_ID} 200: /items/0/createdAt must be integer',
        "GET /flows/{FLOW_ID} 200: /items/0/transformations/0 must have required property 'params'",
      ]);
    });

    it('accepts the id and etag that POST /connections answers with', () => {
      const body = {
        id: '4cb0c374-d3bb-4557-b139-5712880adc55',
        etag: '"1700f9e2-0000-0200-0000-5e2f8c6b0000"',
      };
      expect(flowService.validate('POST', '/connections', 201, body)).toEqual({
        operation: 'POST /connections',
        errors: [],
      });
      expect(errorsOf('POST', '/connections', 201, { ...body, etag: 7 })).toEqual([
        'POST /connections 201: /etag must be string',
      ]);
    });

    it('requires a body when the spec declares a schema', () => {
      expect(errorsOf('GET', `/flows/${FLOW_ID}`, 200, undefined)).toEqual([
        'GET /flows/{FLOW_ID} 200: the spec declares a application/json body, but there is none',
      ]);
    });

    it('allows an empty body, and only an empty body, where the spec declares no content', () => {
      expect(errorsOf('DELETE', `/flows/${FLOW_ID}`, 204, undefined)).toEqual([]);
      expect(errorsOf('DELETE', `/flows/${FLOW_ID}`, 204, '')).toEqual([]);
      expect(errorsOf('DELETE', `/flows/${FLOW_ID}`, 204, { id: FLOW_ID })).toEqual([
        `DELETE /flows/{FLOW_ID} 204: the spec declares no body, but got {"id":"${FLOW_ID}"}`,
      ]);
    });

    it('matches the content type by media type, ignoring parameters', () => {
      const body = flowListBody();
      const json = flowService.validate(
        'GET',
        `/flows/${FLOW_ID}`,
        200,
        body,
        'application/json; charset=utf-8',
      );
      expect(json.errors).toEqual([]);
      const html = flowService.validate('GET', `/flows/${FLOW_ID}`, 200, '<html></html>', 'text/html');
      expect(html.errors).toEqual([
        'GET /flows/{FLOW_ID} 200: content type text/html is not declared; the spec lists application/json',
      ]);
    });
  });

  describe('status codes', () => {
    it('names an undeclared status and the declared ones', () => {
      expect(errorsOf('DELETE', `/flows/${FLOW_ID}`, 200, undefined)).toEqual([
        'DELETE /flows/{FLOW_ID} 200: status 200 is not declared in flow-service.yaml; it lists 204, 403, 503',
      ]);
    });

    it('follows each spec: destinations deletes flows with 202, not 204', () => {
      const destinations = OpenApiResponseValidator.load('destinations.yaml');
      expect(destinations.validate('DELETE', `/flows/${FLOW_ID}`, 202, undefined).errors).toEqual([]);
      expect(destinations.validate('DELETE', `/flows/${FLOW_ID}`, 204, undefined).errors).toEqual([
        'DELETE /flows/{id} 204: status 204 is not declared in destinations.yaml; it lists 202, 401, 403, 404, 500',
      ]);
    });
  });

  describe('paths', () => {
    it('reports a path no template matches', () => {
      expect(flowService.validate('GET', '/dataflows/abc', 200, {})).toEqual({
        operation: 'GET /dataflows/abc',
        errors: ['no operation GET /dataflows/abc in flow-service.yaml: no path template matches'],
      });
    });

    it('reports a method the matched path does not declare', () => {
      expect(errorsOf('PUT', `/flows/${FLOW_ID}`, 200, {})).toEqual([
        `no operation PUT /flows/${FLOW_ID} in flow-service.yaml: /flows/{FLOW_ID} declares only GET, DELETE, PATCH`,
      ]);
    });

    it('prefers the literal /flows/search over /flows/{FLOW_ID}', () => {
      const search = flowService.validate('POST', '/flows/search', 200, flowListBody());
      expect(search).toEqual({ operation: 'POST /flows/search', errors: [] });
      expect(errorsOf('GET', '/flows/search', 200, flowListBody())).toEqual([
        'no operation GET /flows/search in flow-service.yaml: /flows/search declares only POST',
      ]);
    });

    it('treats paths that differ only by a trailing slash as one', () => {
      const connectionId = '4cb0c374-d3bb-4557-b139-5712880adc55';
      expect(flowService.validate('DELETE', `/connections/${connectionId}`, 204, undefined)).toEqual({
        operation: 'DELETE /connections/{BASE_CONNECTION_ID}/',
        errors: [],
      });
      expect(flowService.validate('GET', `/connections/${connectionId}/`, 200, { items: [] }).operation).toBe(
        'GET /connections/{BASE_CONNECTION_ID}',
      );
    });

    it('ignores the query string and the server base path', () => {
      const listed = flowService.validate(
        'GET',
        '/flows?limit=2&property=state==enabled',
        200,
        flowListBody(),
      );
      expect(listed).toEqual({ operation: 'GET /flows', errors: [] });
      const based = flowService.validate('GET', `/data/foundation/flowservice/flows/${FLOW_ID}`, 200, {});
      expect(based).toEqual({ operation: 'GET /flows/{FLOW_ID}', errors: [] });
    });
  });

  describe('data-prep.yaml', () => {
    const dataPrep = OpenApiResponseValidator.load('data-prep.yaml');
    const createdMappingSet = {
      id: 'e7c80e4c0d8f4a98a7d400b4e178b635',
      version: 0,
      createdDate: '2021-03-04T23:40:54.724Z',
      modifiedDate: '2021-03-04T23:40:54.724Z',
      createdBy: 'user@AdobeID',
      modifiedBy: 'user@AdobeID',
    };

    it('accepts a SimpleRepresentation from POST /mappingSets', () => {
      expect(dataPrep.validate('POST', '/mappingSets', 200, createdMappingSet)).toEqual({
        operation: 'POST /mappingSets',
        errors: [],
      });
    });

    it('checks formats and int32 fields', () => {
      const body = { ...createdMappingSet, modifiedDate: 'last tuesday', version: '0' };
      expect(dataPrep.validate('POST', '/mappingSets', 200, body).errors).toEqual([
        'POST /mappingSets 200: /modifiedDate must match format "date-time"',
        'POST /mappingSets 200: /version must be integer',
      ]);
    });

    it("rejects the spec's own example, whose dates are epoch milliseconds", () => {
      const example = { ...createdMappingSet, createdDate: 1614901254724, modifiedDate: 1614901254724 };
      expect(dataPrep.validate('POST', '/mappingSets', 200, example).errors).toEqual([
        'POST /mappingSets 200: /createdDate must be string',
        'POST /mappingSets 200: /modifiedDate must be string',
      ]);
    });
  });

  describe('oneOf branches (destinations.yaml)', () => {
    const destinations = OpenApiResponseValidator.load('destinations.yaml');
    const streamingFlow = () => {
      const { runs: _runs, lastOperation: _lastOperation, ...flow } = flowListBody().items[0]!;
      return { items: [{ ...flow, description: 'Marketo audiences' }] };
    };

    // destinations.yaml declares inheritedAttributes.sourceConnections/targetConnections as objects while its own
    // examples, flow-service.yaml and the live API carry arrays; the validator reports the contradiction faithfully.
    const SPEC_CONTRADICTIONS = [
      'GET /flows/{id} 200: /items/0/inheritedAttributes/sourceConnections must be object',
      'GET /flows/{id} 200: /items/0/inheritedAttributes/targetConnections must be object',
    ];

    it('validates a destination flow against the branch it names', () => {
      expect(
        destinations.validate('GET', `/flows/${FLOW_ID}`, 200, streamingFlow(), {
          oneOfBranch: 'Streaming_Flow',
        }).errors,
      ).toEqual(SPEC_CONTRADICTIONS);
    });

    it('reports what the named branch requires, which the bare oneOf would not say', () => {
      const { description: _description, ...withoutDescription } = streamingFlow().items[0]!;
      const body = { items: [withoutDescription] };
      expect(
        destinations.validate('GET', `/flows/${FLOW_ID}`, 200, body, { oneOfBranch: 'Streaming_Flow' })
          .errors,
      ).toEqual([
        "GET /flows/{id} 200: /items/0 must have required property 'description'",
        ...SPEC_CONTRADICTIONS,
      ]);
      expect(destinations.validate('GET', `/flows/${FLOW_ID}`, 200, body).errors).toContain(
        'GET /flows/{id} 200: (root) must match exactly one schema in oneOf',
      );
    });

    it('names the branches when asked for one that is not there', () => {
      expect(
        destinations.validate('GET', `/flows/${FLOW_ID}`, 200, streamingFlow(), { oneOfBranch: 'Other_Flow' })
          .errors,
      ).toEqual([
        'GET /flows/{id} 200: the response schema has no oneOf branch Other_Flow; it lists Batch_Flow, Streaming_Flow',
      ]);
      expect(
        flowService.validate('GET', `/flows/${FLOW_ID}`, 200, flowListBody(), {
          oneOfBranch: 'Streaming_Flow',
        }).errors,
      ).toEqual([
        'GET /flows/{FLOW_ID} 200: the response schema is not a oneOf, so there is no branch Streaming_Flow to pick',
      ]);
    });
  });

  describe('request headers', () => {
    const platformHeaders = {
      Authorization: 'Bearer x',
      'x-api-key': 'key',
      'x-gw-ims-org-id': 'ORG@AdobeOrg',
    };

    it('accepts a request carrying every required header, whatever their case', () => {
      const lower = Object.fromEntries(
        Object.entries(platformHeaders).map(([name, value]) => [name.toLowerCase(), value]),
      );
      expect(flowService.validateRequestHeaders('GET', '/connections?limit=2', lower)).toEqual({
        operation: 'GET /connections',
        errors: [],
      });
    });

    it('names each missing required header, If-Match on a PATCH included', () => {
      const { 'x-api-key': _key, ...withoutKey } = platformHeaders;
      expect(flowService.validateRequestHeaders('PATCH', `/flows/${FLOW_ID}`, withoutKey).errors).toEqual([
        'PATCH /flows/{FLOW_ID}: the request lacks the required header x-api-key',
        'PATCH /flows/{FLOW_ID}: the request lacks the required header if-match',
      ]);
    });

    it('follows $refs to shared parameters', () => {
      const destinations = OpenApiResponseValidator.load('destinations.yaml');
      const errors = destinations.validateRequestHeaders('GET', `/flows/${FLOW_ID}`, {}).errors;
      expect(errors).toContain('GET /flows/{id}: the request lacks the required header Authorization');
      expect(errors.length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('assertValid', () => {
    it('passes silently on a valid response', () => {
      expect(() => flowService.assertValid('GET', `/flows/${FLOW_ID}`, 200, flowListBody())).not.toThrow();
    });

    it('throws with every error listed', () => {
      const body = { items: [{ id: 1, name: 2 }] };
      expect(() => flowService.assertValid('GET', `/flows/${FLOW_ID}`, 200, body)).toThrow(
        [
          'GET /flows/{FLOW_ID} 200 response does not match flow-service.yaml:',
          '  GET /flows/{FLOW_ID} 200: /items/0/id must be string',
          '  GET /flows/{FLOW_ID} 200: /items/0/name must be string',
        ].join('\n'),
      );
    });
  });

  describe('every declared response', () => {
    const specFiles: OpenApiSpecFile[] = ['flow-service.yaml', 'data-prep.yaml', 'destinations.yaml'];

    it.each(specFiles)('in %s maps back to its own operation and compiles', (specFile) => {
      const specPath = path.join(projectRoot, '..', 'shared', 'reference', 'openapi', specFile);
      const spec: unknown = parseYaml(fs.readFileSync(specPath, 'utf8'));
      const paths = (
        spec as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> }
      ).paths;
      const validator = OpenApiResponseValidator.load(specFile);
      let checked = 0;
      for (const [template, pathItem] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(pathItem)) {
          const concretePath = template.replace(/\{[^}]+\}/g, 'c0ffee00-0000-4000-8000-000000000000');
          for (const status of Object.keys(operation.responses ?? {})) {
            const result = validator.validate(method, concretePath, Number(status), {});
            expect(result.operation).toBe(`${method.toUpperCase()} ${template}`);
            checked += 1;
          }
        }
      }
      expect(checked).toBeGreaterThan(40);
    });
  });
});
