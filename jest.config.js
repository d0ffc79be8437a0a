// ESM TypeScript through ts-jest; type-checking is `tsc --noEmit` (tsconfig's isolatedModules makes
// ts-jest transpile only). Output is the summary and the failures: verbose lists every test.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  globalSetup: '<rootDir>/scripts/jest-global-setup.mjs',
  testTimeout: 30000,
  verbose: false
}
