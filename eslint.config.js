import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      // The action prints through @actions/core only, so that masking applies to every line.
      'no-console': 'error'
    }
  },
  {
    // Scripts, benchmarks and fixtures talk to a person or a test: console is their output.
    files: ['scripts/**', 'bench/**', '__fixtures__/**', '__tests__/**'],
    rules: { 'no-console': 'off' }
  }
)
