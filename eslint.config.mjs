import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, each allowed to import only the layers below it.
 * Workflows run in Temporal's sandbox: activities and clients reach them as
 * types only. The simulator stands alone, so it cannot agree with a wrong client.
 */
/** The layers that may import the files at the top of src/ (the worker, the project root). */
const ENTRY_USERS = ['cli', 'temporal'];
/** What those files may import. */
const ENTRY_IMPORTS = [
  'activities',
  'codec',
  'integrations',
  'config',
  'domain',
  'observability',
  'visibility',
  'temporal',
];

const LAYERS = [
  { type: 'domain', pattern: 'src/domain', allow: [] },
  { type: 'visibility', pattern: 'src/visibility', allow: [] },
  { type: 'config', pattern: 'src/config', allow: ['domain'] },
  { type: 'codec', pattern: 'src/codec', allow: ['config'] },
  { type: 'integrations', pattern: 'src/integrations', allow: ['config', 'domain'] },
  { type: 'observability', pattern: 'src/observability', allow: ['config'] },
  { type: 'temporal', pattern: 'src/temporal', allow: ['visibility', 'config', 'codec'] },
  {
    type: 'activities',
    pattern: 'src/activities',
    allow: ['integrations', 'config', 'domain', 'observability', 'visibility', 'temporal'],
  },
  {
    type: 'workflows',
    pattern: 'src/workflows',
    allow: ['domain', 'visibility'],
    allowTypes: ['activities', 'integrations'],
  },
  {
    type: 'runs',
    pattern: 'src/runs',
    allow: ['workflows', 'activities', 'integrations', 'config', 'domain', 'visibility', 'temporal'],
  },
  { type: 'simulator', pattern: 'src/simulator', allow: [] },
  {
    type: 'cli',
    pattern: 'src/cli',
    allow: ['runs', 'workflows', 'activities', 'integrations', 'config', 'domain', 'codec'].concat([
      'observability',
      'visibility',
      'temporal',
      'simulator',
    ]),
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.cutover/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': LAYERS.map(({ type, pattern }) => ({ type, pattern })),
      // The worker's entry point and the project-root helper, at the top of src/.
      'boundaries/files': [{ category: 'entry', pattern: 'src/*.ts' }],
      'import/resolver': { typescript: { project: './tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: LAYERS.flatMap(({ type, allow, allowTypes = [] }) => [
            { from: { element: { type } }, allow: { to: { element: { type: [type, ...allow] } } } },
            ...(allowTypes.length
              ? [
                  {
                    from: { element: { type } },
                    allow: { to: { element: { type: allowTypes } }, dependency: { kind: 'type' } },
                  },
                ]
              : []),
            ...(ENTRY_USERS.includes(type)
              ? [{ from: { element: { type } }, allow: { to: { file: { categories: 'entry' } } } }]
              : [{ from: { element: { type } }, disallow: { to: { file: { categories: 'entry' } } } }]),
          ]).concat({
            from: { file: { categories: 'entry' } },
            allow: { to: { element: { type: ENTRY_IMPORTS } } },
          }),
        },
      ],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      // Workflow code runs in Temporal's deterministic sandbox.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'http', 'https', 'crypto', 'child_process'],
              message: 'No I/O in workflows.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'fetch'],
      // A workflow should read like the domain doc: one that needs a scroll bar wants splitting.
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['scripts/*.js', 'bin/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
