// ESLint (flat config) with typescript-eslint. The import rules keep the process boundaries of DESIGN.md §2:
// api/ and worker/ never import each other; shared/ imports neither. Tests may span processes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const boundary = (forbidden, message) => ({
  'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'var/', 'shared/src/db/generated/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through shared/src/config only.' },
      ],
    },
  },
  { files: ['api/**/*.ts'], ignores: ['**/*.test.ts'], rules: boundary(['**/worker/**'], 'api/ must not import worker/ (DESIGN.md §2).') },
  { files: ['worker/**/*.ts'], ignores: ['**/*.test.ts'], rules: boundary(['**/api/**'], 'worker/ must not import api/ (DESIGN.md §2).') },
  {
    files: ['shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: boundary(['**/api/**', '**/worker/**'], 'shared/ must not import api/ or worker/.'),
  },
  {
    // The local (offline) builders and the local LLM provider do not depend on the OpenAI client: what they share
    // with it lives in neutral modules (shared/src/validation/describe-issues.ts).
    files: ['worker/src/generation/**/*.ts'],
    ignores: ['**/*.test.ts', 'worker/src/generation/llm-generation.ts'],
    rules: boundary(['**/api/**', '**/openai-llm.provider*'], 'worker/ must not import api/ (DESIGN.md §2); the local builders not the OpenAI client.'),
  },
  {
    files: ['shared/src/providers/llm/local-llm.provider.ts'],
    rules: boundary(['**/api/**', '**/worker/**', '**/openai-llm.provider*'], 'shared/ must not import api/ or worker/; the local provider not the OpenAI client.'),
  },
  {
    // Entry points and tooling outside the app may read the environment.
    files: ['shared/src/config/**', 'scripts/**', 'test/**', 'bench/**', 'vitest.config.ts', 'prisma.config.ts', '**/*.test.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
