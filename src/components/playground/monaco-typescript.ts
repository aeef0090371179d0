/// <reference types="vite/client" />
// The TypeScript language service for the playground editor: completion, hover,
// squiggles, and the program API's declarations. Loaded by loadIntelliSense()
// (monaco-setup.ts) on the learner's first focus or edit, so a Run costs none
// of it (its worker alone is ~7 MB of JavaScript).
import * as monaco from 'monaco-editor/editor/editor.api';
import * as ts from 'monaco-editor/languages/features/typescript/register';
// @ts-expect-error plain JavaScript without declarations: setupTypeScript(defaults) starts the language service.
import { setupTypeScript } from 'monaco-editor/languages/features/typescript/tsMode';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import programApi from '../../../types/closing-time.d.ts?raw';
import { registerLanguageWorker } from './monaco-setup.ts';

registerLanguageWorker(['typescript', 'javascript'], () => new TsWorker());

ts.typescriptDefaults.setCompilerOptions({
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.NodeJs,
  strict: true,
  noEmit: true,
  allowNonTsExtensions: true,
  lib: ['es2022', 'dom'],
});
ts.typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
// The learner's `import type { Simulation } from 'closing-time'` resolves here.
ts.typescriptDefaults.addExtraLib(programApi, 'file:///node_modules/closing-time/index.d.ts');

// The register module starts the service when the first TypeScript model
// appears (languages.onLanguage); the editor's model is older than this module,
// and Monaco announces a language only once, so start it here.
if (monaco.editor.getModels().some((m) => m.getLanguageId() === 'typescript')) {
  (setupTypeScript as (defaults: typeof ts.typescriptDefaults) => void)(ts.typescriptDefaults);
}
