// Lint enforces the dependency matrix of docs/architecture.md ("Parts"): tags decide who may import whom,
// and framework/driver packages stay in the libs that own them.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group, `${group}/*`], message })) }],
});

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', 'models/**', '.gpu/**', 'tmp/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // End-to-end tests and benchmarks drive the real app in-process (Nest's e2e pattern).
          allow: ['../../apps/api/src/**', '../apps/api/src/**'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:util', 'type:domain', 'type:data-access', 'type:feature'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:util', 'type:domain', 'type:data-access'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:util', 'type:domain'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:util', 'type:domain', 'type:data-access', 'type:feature'] },
          ],
        },
      ],
    },
  },
  { files: ['libs/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'error' } },
  // Style rule 8: no floating promises, explicit return types on exports (type-aware).
  {
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/explicit-module-boundary-types': 'error' },
  },
  { files: ['libs/common/**/*.ts', 'libs/fhir/**/*.ts', 'libs/monitoring/**/*.ts', 'libs/auth/**/*.ts'], rules: restrict(['@nestjs', 'typeorm', 'pg', 'pg-boss', 'onnxruntime-node', 'onnxruntime-common'], 'framework/driver imports are not allowed in util/domain/feature cores') },
  { files: ['libs/imaging/**/*.ts'], rules: restrict(['@nestjs', 'typeorm', 'pg', 'pg-boss', 'onnxruntime-node'], 'imaging is framework-free and does not touch the database or the model runtime') },
  { files: ['libs/inference/**/*.ts'], rules: restrict(['@nestjs', 'typeorm', 'pg', 'pg-boss', '@brixia/fhir'], 'inference knows no FHIR, no framework and no database') },
  { files: ['libs/persistence/**/*.ts'], rules: restrict(['@nestjs', 'onnxruntime-node'], 'persistence does not use Nest or the model runtime') },
  { files: ['apps/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'], rules: restrict(['typeorm', 'pg-boss', 'onnxruntime-node'], 'apps reach the database and the model only through libs') },
];
