import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../../src/project-root';

export type OpenApiSpecFile = 'flow-service.yaml' | 'data-prep.yaml' | 'destinations.yaml';

export interface ValidateOptions {
  contentType?: string;
  /**
   * Where the response schema is a `oneOf`, the name of the branch the body
   * belongs to (e.g. `Streaming_Flow`): `oneOf` alone fails a body that fits
   * two branches and cannot say which one a body was meant to fit.
   */
  oneOfBranch?: string;
}

export interface OpenApiValidationResult {
  /** The matched operation as `METHOD /template`, or the request itself when nothing matched. */
  operation: string;
  errors: string[];
}

type JsonObject = Record<string, unknown>;

interface Operation {
  /** e.g. "GET /flows/{FLOW_ID}", spelled as the spec spells the template. */
  label: string;
  /** JSON pointer tokens of the operation object inside the spec. */
  pointer: string[];
  responses: JsonObject;
}

interface PathTemplate {
  template: string;
  matchers: Array<string | RegExp>;
  operationsByMethod: Map<string, Operation>;
}

interface SelectedResponse {
  response: JsonObject;
  pointer: string[];
}

type OperationLookup = { operation: Operation } | { error: string };

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SUBSCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties'];
const SUBSCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf'];
const SUBSCHEMA_KEYWORDS = ['items', 'additionalProperties', 'not'];

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapValues(object: JsonObject, convert: (value: unknown) => unknown): JsonObject {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, convert(value)]));
}

function specPathOf(specFile: OpenApiSpecFile): string {
  // Adobe's specs live in the workspace's shared reference folder beside the repository, unless pointed elsewhere.
  const dir =
    process.env.CUTOVER_OPENAPI_DIR ?? path.join(projectRoot, '..', 'shared', 'reference', 'openapi');
  const file = path.join(dir, specFile);
  if (!fs.existsSync(file)) {
    throw new Error(
      `Adobe's OpenAPI spec ${specFile} is not at ${dir}; set CUTOVER_OPENAPI_DIR to the folder holding it.`,
    );
  }
  return file;
}

// --- OpenAPI 3.0 schema dialect -> what Ajv (draft-07) understands -------------------------------

/** OpenAPI 3.0 `nullable` has no JSON Schema equivalent; Ajv's own support refuses it without `type`. */
function withNullable(schema: JsonObject, nullable: boolean): JsonObject {
  if (!nullable) return schema;
  const enumWithNull = Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {};
  if (typeof schema.type === 'string') return { ...schema, ...enumWithNull, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) return { ...schema, ...enumWithNull, type: [...schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

/** OpenAPI 3.0 (like draft-04) spells exclusive bounds as booleans beside minimum/maximum. */
function convertExclusiveBound(schema: JsonObject, exclusiveKeyword: string, boundKeyword: string): void {
  const exclusive = schema[exclusiveKeyword];
  if (typeof exclusive !== 'boolean') return;
  delete schema[exclusiveKeyword];
  if (exclusive && typeof schema[boundKeyword] === 'number') {
    schema[exclusiveKeyword] = schema[boundKeyword];
    delete schema[boundKeyword];
  }
}

function toAjvSchema(schema: unknown, formats: Set<string>): unknown {
  if (!isObject(schema)) return schema;
  // OpenAPI 3.0 ignores the siblings of `$ref`; Ajv would apply them.
  if (typeof schema.$ref === 'string') return withNullable({ $ref: schema.$ref }, schema.nullable === true);
  const convert = (subschema: unknown): unknown => toAjvSchema(subschema, formats);
  const converted: JsonObject = { ...schema };
  for (const keyword of SUBSCHEMA_MAP_KEYWORDS) {
    const subschemas = converted[keyword];
    if (isObject(subschemas)) converted[keyword] = mapValues(subschemas, convert);
  }
  for (const keyword of [...SUBSCHEMA_LIST_KEYWORDS, ...SUBSCHEMA_KEYWORDS]) {
    const subschema = converted[keyword];
    if (subschema !== undefined)
      converted[keyword] = Array.isArray(subschema) ? subschema.map(convert) : convert(subschema);
  }
  if (typeof converted.format === 'string') formats.add(converted.format);
  convertExclusiveBound(converted, 'exclusiveMinimum', 'minimum');
  convertExclusiveBound(converted, 'exclusiveMaximum', 'maximum');
  const nullable = converted.nullable === true;
  delete converted.nullable;
  return withNullable(converted, nullable);
}

function operationsOf(
  document: JsonObject,
): Array<{ template: string; method: string; operation: JsonObject }> {
  const paths = isObject(document.paths) ? document.paths : {};
  return Object.entries(paths).flatMap(([template, pathItem]) =>
    HTTP_METHODS.flatMap((method) => {
      const operation = isObject(pathItem) ? pathItem[method] : undefined;
      return isObject(operation) ? [{ template, method, operation }] : [];
    }),
  );
}

function responseObjectsOf(document: JsonObject): JsonObject[] {
  const fromOperations = operationsOf(document).flatMap(({ operation }) =>
    isObject(operation.responses) ? Object.values(operation.responses) : [],
  );
  const components = isObject(document.components) ? document.components : {};
  const shared = isObject(components.responses) ? Object.values(components.responses) : [];
  return [...fromOperations, ...shared].filter(isObject);
}

/** Converts a deep copy, so the parsed spec stays exactly as published. */
function toAjvDocument(spec: JsonObject, id: string, formats: Set<string>): JsonObject {
  const document = structuredClone(spec);
  document.$id = id;
  const convert = (schema: unknown): unknown => toAjvSchema(schema, formats);
  const components = document.components;
  if (isObject(components) && isObject(components.schemas)) {
    components.schemas = mapValues(components.schemas, convert);
  }
  for (const response of responseObjectsOf(document)) {
    const content = isObject(response.content) ? response.content : {};
    for (const media of Object.values(content)) {
      if (isObject(media) && media.schema !== undefined) media.schema = convert(media.schema);
    }
  }
  return document;
}

function createAjv(document: JsonObject, formats: Set<string>): Ajv {
  // strict: false lets OpenAPI-only keywords (example, xml, discriminator, x-*) pass as annotations.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // An unknown format is vendor documentation, not a constraint; Ajv would otherwise warn or throw.
  for (const format of formats) {
    if (ajv.formats[format] === undefined) ajv.addFormat(format, true);
  }
  ajv.addSchema(document);
  return ajv;
}

// --- paths ---------------------------------------------------------------------------------------

function withoutQuery(requestPath: string): string {
  return requestPath.split(/[?#]/, 1)[0] ?? '';
}

function segmentsOf(pathname: string): string[] {
  const trimmed = pathname.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

function matcherOf(templateSegment: string): string | RegExp {
  if (!templateSegment.includes('{')) return templateSegment;
  const pattern = templateSegment
    .split(/(\{[^}]*\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${pattern}$`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matches(template: PathTemplate, segments: string[]): boolean {
  return (
    template.matchers.length === segments.length &&
    template.matchers.every((matcher, index) => {
      const segment = segments[index] ?? '';
      return typeof matcher === 'string' ? matcher === decodeSegment(segment) : matcher.test(segment);
    })
  );
}

/** Negative when `a` is more literal than `b` at the first segment where they differ. */
function byLiteralness(a: PathTemplate, b: PathTemplate): number {
  for (let index = 0; index < a.matchers.length; index += 1) {
    const aLiteral = typeof a.matchers[index] === 'string';
    const bLiteral = typeof b.matchers[index] === 'string';
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}

/** Spec paths differing only by a trailing slash (`/connections/{ID}` and `/connections/{ID}/`) share a template. */
function pathTemplatesOf(document: JsonObject): PathTemplate[] {
  const templates = new Map<string, PathTemplate>();
  for (const { template, method, operation } of operationsOf(document)) {
    const segments = segmentsOf(template);
    const key = segments.join('/');
    const pathTemplate = templates.get(key) ?? {
      template,
      matchers: segments.map(matcherOf),
      operationsByMethod: new Map<string, Operation>(),
    };
    templates.set(key, pathTemplate);
    const verb = method.toUpperCase();
    if (pathTemplate.operationsByMethod.has(verb)) continue;
    pathTemplate.operationsByMethod.set(verb, {
      label: `${verb} ${template}`,
      pointer: ['paths', template, method],
      responses: isObject(operation.responses) ? operation.responses : {},
    });
  }
  return [...templates.values()];
}

/** The path part of the first server URL, e.g. "/data/foundation/flowservice". */
function basePathOf(document: JsonObject): string {
  const servers = Array.isArray(document.servers) ? document.servers : [];
  const firstServer: unknown = servers[0];
  const url = isObject(firstServer) && typeof firstServer.url === 'string' ? firstServer.url : '';
  const pathname = url.replace(/^[a-z][a-z0-9+.-]*:/i, '').replace(/^\/\/[^/]*/, '');
  return `/${segmentsOf(pathname).join('/')}`;
}

// --- responses -----------------------------------------------------------------------------------

function toUriFragment(pointer: string[]): string {
  return pointer
    .map((token) => `/${encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'))}`)
    .join('');
}

function resolveLocalPointer(document: JsonObject, ref: string): unknown {
  const tokens = ref.replace(/^#\/?/, '').split('/');
  return tokens.reduce<unknown>(
    (node, token) =>
      isObject(node) ? node[decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~')] : undefined,
    document,
  );
}

function responseKeyFor(responses: JsonObject, status: number): string | undefined {
  const keys = Object.keys(responses);
  const range = `${Math.floor(status / 100)}XX`;
  return (
    keys.find((key) => key === String(status)) ??
    keys.find((key) => key.toUpperCase() === range) ??
    keys.find((key) => key === 'default')
  );
}

function isJsonMediaType(mediaType: string): boolean {
  return /^application\/(?:[\w.-]+\+)?json$/i.test(mediaType);
}

function mediaTypeFor(declared: string[], contentType: string | undefined): string | undefined {
  if (contentType === undefined) return declared.find(isJsonMediaType) ?? declared[0];
  const wanted = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return (
    declared.find((mediaType) => mediaType.toLowerCase() === wanted) ??
    declared.find(
      (mediaType) => mediaType.endsWith('/*') && wanted.startsWith(mediaType.slice(0, -1).toLowerCase()),
    ) ??
    declared.find((mediaType) => mediaType === '*/*')
  );
}

function isEmptyBody(body: unknown): boolean {
  return (
    body === undefined || body === null || body === '' || (body instanceof Uint8Array && body.length === 0)
  );
}

function describeBody(body: unknown): string {
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? String(body));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function detailOf(error: ErrorObject): string {
  const params: Record<string, unknown> = error.params;
  if (Array.isArray(params.allowedValues)) {
    return ` (${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')})`;
  }
  if (typeof params.additionalProperty === 'string') return ` ('${params.additionalProperty}')`;
  return '';
}

function formatAjvError(error: ErrorObject): string {
  const location = error.instancePath === '' ? '(root)' : error.instancePath;
  return `${location} ${error.message ?? 'is invalid'}${detailOf(error)}`;
}

export class OpenApiResponseValidator {
  private static readonly loaded = new Map<OpenApiSpecFile, OpenApiResponseValidator>();
  private readonly compiledByPointer = new Map<string, ValidateFunction>();

  private constructor(
    private readonly specFile: OpenApiSpecFile,
    private readonly document: JsonObject,
    private readonly ajv: Ajv,
    private readonly pathTemplates: PathTemplate[],
    private readonly basePath: string,
  ) {}

  static load(specFile: OpenApiSpecFile): OpenApiResponseValidator {
    const cached = OpenApiResponseValidator.loaded.get(specFile);
    if (cached !== undefined) return cached;
    const specPath = specPathOf(specFile);
    const spec: unknown = parseYaml(fs.readFileSync(specPath, 'utf8'));
    if (!isObject(spec)) throw new Error(`${specPath} is not an OpenAPI document`);
    const formats = new Set<string>();
    const document = toAjvDocument(spec, pathToFileURL(specPath).href, formats);
    const validator = new OpenApiResponseValidator(
      specFile,
      document,
      createAjv(document, formats),
      pathTemplatesOf(document),
      basePathOf(document),
    );
    OpenApiResponseValidator.loaded.set(specFile, validator);
    return validator;
  }

  /** `body` is the parsed JSON value (or undefined when the response had none). */
  validate(
    method: string,
    requestPath: string,
    status: number,
    body: unknown,
    options: string | ValidateOptions = {},
  ): OpenApiValidationResult {
    const { contentType, oneOfBranch } = typeof options === 'string' ? { contentType: options } : options;
    const verb = method.toUpperCase();
    const lookup = this.findOperation(verb, requestPath);
    if ('error' in lookup)
      return { operation: `${verb} ${withoutQuery(requestPath)}`, errors: [lookup.error] };
    const { operation } = lookup;
    return {
      operation: operation.label,
      errors: this.checkResponse(operation, status, body, contentType, oneOfBranch),
    };
  }

  /**
   * The header parameters the spec marks required (path- and operation-level,
   * `$ref`s to shared parameters followed) that the request lacks; names
   * compare case-insensitively, as HTTP's do.
   */
  validateRequestHeaders(
    method: string,
    requestPath: string,
    headers: Record<string, string>,
  ): OpenApiValidationResult {
    const verb = method.toUpperCase();
    const lookup = this.findOperation(verb, requestPath);
    if ('error' in lookup)
      return { operation: `${verb} ${withoutQuery(requestPath)}`, errors: [lookup.error] };
    const { operation } = lookup;
    const sent = new Set(
      Object.entries(headers)
        .filter(([, value]) => value !== '')
        .map(([name]) => name.toLowerCase()),
    );
    const missing = this.requiredHeadersOf(operation).filter((name) => !sent.has(name.toLowerCase()));
    return {
      operation: operation.label,
      errors: missing.map((name) => `${operation.label}: the request lacks the required header ${name}`),
    };
  }

  assertValid(
    method: string,
    requestPath: string,
    status: number,
    body: unknown,
    options: string | ValidateOptions = {},
  ): void {
    const { operation, errors } = this.validate(method, requestPath, status, body, options);
    if (errors.length === 0) return;
    throw new Error(
      `${operation} ${status} response does not match ${this.specFile}:\n  ${errors.join('\n  ')}`,
    );
  }

  private relativeToServer(pathname: string): string {
    if (this.basePath === '/') return pathname;
    const isUnderBase = pathname === this.basePath || pathname.startsWith(`${this.basePath}/`);
    return isUnderBase ? pathname.slice(this.basePath.length) : pathname;
  }

  private findOperation(verb: string, requestPath: string): OperationLookup {
    const pathname = withoutQuery(requestPath);
    const segments = segmentsOf(this.relativeToServer(`/${pathname.replace(/^\/+/, '')}`));
    const [best] = this.pathTemplates.filter((template) => matches(template, segments)).sort(byLiteralness);
    const missing = `no operation ${verb} ${pathname} in ${this.specFile}`;
    if (best === undefined) return { error: `${missing}: no path template matches` };
    const operation = best.operationsByMethod.get(verb);
    if (operation !== undefined) return { operation };
    const declared = [...best.operationsByMethod.keys()].join(', ');
    return { error: `${missing}: ${best.template} declares only ${declared}` };
  }

  private selectResponse(operation: Operation, status: number): SelectedResponse | undefined {
    const key = responseKeyFor(operation.responses, status);
    if (key === undefined) return undefined;
    const response = operation.responses[key];
    const pointer = [...operation.pointer, 'responses', key];
    // Only references to shared responses are honoured; other `$ref`s here are spec typos.
    const ref = isObject(response) ? response.$ref : undefined;
    if (typeof ref === 'string' && ref.startsWith('#/components/responses/')) {
      const shared = resolveLocalPointer(this.document, ref);
      const sharedPointer = ref
        .slice(2)
        .split('/')
        .map((token) => decodeURIComponent(token));
      return isObject(shared) ? { response: shared, pointer: sharedPointer } : undefined;
    }
    return { response: isObject(response) ? response : {}, pointer };
  }

  private requiredHeadersOf(operation: Operation): string[] {
    const pathItem = resolveLocalPointer(this.document, `#${toUriFragment(operation.pointer.slice(0, 2))}`);
    const own = resolveLocalPointer(this.document, `#${toUriFragment(operation.pointer)}`);
    const listed = [pathItem, own].flatMap((node) =>
      isObject(node) && Array.isArray(node.parameters) ? (node.parameters as unknown[]) : [],
    );
    const resolved = listed.map((parameter) =>
      isObject(parameter) && typeof parameter.$ref === 'string'
        ? resolveLocalPointer(this.document, parameter.$ref)
        : parameter,
    );
    const names = resolved.flatMap((parameter) =>
      isObject(parameter) &&
      parameter.in === 'header' &&
      parameter.required === true &&
      typeof parameter.name === 'string'
        ? [parameter.name]
        : [],
    );
    return [...new Set(names)];
  }

  private checkResponse(
    operation: Operation,
    status: number,
    body: unknown,
    contentType?: string,
    oneOfBranch?: string,
  ): string[] {
    const where = `${operation.label} ${status}`;
    const selected = this.selectResponse(operation, status);
    if (selected === undefined) {
      const listed = Object.keys(operation.responses).join(', ');
      return [`${where}: status ${status} is not declared in ${this.specFile}; it lists ${listed}`];
    }
    const content = isObject(selected.response.content) ? selected.response.content : {};
    const declared = Object.keys(content);
    if (declared.length === 0) {
      return isEmptyBody(body) ? [] : [`${where}: the spec declares no body, but got ${describeBody(body)}`];
    }
    const mediaType = mediaTypeFor(declared, contentType);
    if (mediaType === undefined) {
      return [`${where}: content type ${contentType} is not declared; the spec lists ${declared.join(', ')}`];
    }
    const media = content[mediaType];
    // A media type declared with only an example constrains nothing.
    if (!isObject(media) || !isObject(media.schema)) return [];
    if (body === undefined || body === '')
      return [`${where}: the spec declares a ${mediaType} body, but there is none`];
    const schemaPointer = [...selected.pointer, 'content', mediaType, 'schema'];
    if (oneOfBranch !== undefined) {
      const branches = Array.isArray(media.schema.oneOf) ? (media.schema.oneOf as unknown[]) : [];
      const refs = branches.map((branch) =>
        isObject(branch) && typeof branch.$ref === 'string' ? branch.$ref : '',
      );
      const index = refs.findIndex((ref) => ref.split('/').pop() === oneOfBranch);
      if (index < 0) {
        const named = refs.map((ref) => ref.split('/').pop()).filter(Boolean);
        return [
          named.length
            ? `${where}: the response schema has no oneOf branch ${oneOfBranch}; it lists ${named.join(', ')}`
            : `${where}: the response schema is not a oneOf, so there is no branch ${oneOfBranch} to pick`,
        ];
      }
      schemaPointer.push('oneOf', String(index));
    }
    const validateBody = this.compiled(schemaPointer, where);
    if (validateBody(body)) return [];
    return (validateBody.errors ?? []).map((error) => `${where}: ${formatAjvError(error)}`);
  }

  private compiled(pointer: string[], where: string): ValidateFunction {
    const fragment = toUriFragment(pointer);
    const cached = this.compiledByPointer.get(fragment);
    if (cached !== undefined) return cached;
    try {
      const validateBody = this.ajv.compile({ $ref: `${String(this.document.$id)}#${fragment}` });
      this.compiledByPointer.set(fragment, validateBody);
      return validateBody;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot compile the ${where} response schema of ${this.specFile}: ${reason}`, {
        cause: error,
      });
    }
  }
}
