// ESLint (flat config): the recommended rules over the browser modules in src/, Node's globals for their unit tests
// and for the build's own config files.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['static/', 'node_modules/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.js'],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    files: ['src/tests/**/*.js', '*.config.js'],
    languageOptions: { sourceType: 'module', globals: globals.node },
  },
];
