/// <reference types="vite/client" />
// Monaco, loaded on demand (dynamic import) by a playground the reader touches.
// Only the editor features a learner uses and TypeScript's highlighting are in
// this module; the TypeScript language service (completion, squiggles, the
// program API's declarations) is monaco-typescript.ts, loaded on first focus.
import * as monaco from 'monaco-editor/editor/editor.api';
// Services that the contributions below expect to find registered.
import 'monaco-editor/editor/contrib/codelens/browser/codeLensCache';
import 'monaco-editor/editor/common/services/treeViewsDndService';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard';
import 'monaco-editor/editor/contrib/codeAction/browser/codeActionContributions';
import 'monaco-editor/editor/contrib/comment/browser/comment';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu';
import 'monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo';
import 'monaco-editor/editor/contrib/folding/browser/folding';
import 'monaco-editor/editor/contrib/gotoError/browser/gotoError';
import 'monaco-editor/editor/contrib/gotoError/browser/markerSelectionStatus';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution';
import 'monaco-editor/editor/contrib/indentation/browser/indentation';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations';
import 'monaco-editor/editor/contrib/parameterHints/browser/parameterHints';
import 'monaco-editor/editor/contrib/snippet/browser/snippetController2';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/editor/contrib/suggest/browser/suggestInlineCompletions';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations';
import 'monaco-editor/editor/contrib/toggleTabFocusMode/browser/toggleTabFocusMode';
import 'monaco-editor/features/find/register';
import 'monaco-editor/editor/browser/coreCommands';
import 'monaco-editor/editor/common/standaloneStrings';
import 'monaco-editor/languages/definitions/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

/** Workers of language services loaded later (monaco-typescript.ts), by Monaco's worker label. */
const languageWorkers = new Map<string, () => Worker>();

export function registerLanguageWorker(labels: string[], create: () => Worker): void {
  for (const label of labels) languageWorkers.set(label, create);
}

// Without this Monaco runs its language services on the main thread.
self.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return languageWorkers.get(label)?.() ?? new EditorWorker();
  },
};

// The page's own colours (src/styles/global.css: --bg-raised, --text, --accent),
// so the editor sits in the playground like the code it replaced.
monaco.editor.defineTheme('closing-time-light', {
  base: 'vs',
  inherit: true,
  rules: [],
  colors: {
    'editor.background': '#ffffff',
    'editor.foreground': '#1f2328',
    'editorLineNumber.foreground': '#5b616b',
    'editorLineNumber.activeForeground': '#1f2328',
    'editorCursor.foreground': '#b4530d',
    'editor.lineHighlightBackground': '#f2f0ea',
    'editor.lineHighlightBorder': '#00000000',
    'editor.selectionBackground': '#f5c27a88',
    'editorGutter.background': '#ffffff',
  },
});
monaco.editor.defineTheme('closing-time-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: {
    'editor.background': '#151c25',
    'editor.foreground': '#e6e8eb',
    'editorLineNumber.foreground': '#9aa4b2',
    'editorLineNumber.activeForeground': '#e6e8eb',
    'editorCursor.foreground': '#f5a04a',
    'editor.lineHighlightBackground': '#0f141b',
    'editor.lineHighlightBorder': '#00000000',
    'editor.selectionBackground': '#f5a04a55',
    'editorGutter.background': '#151c25',
    'editorWidget.background': '#0f141b',
    'editorSuggestWidget.background': '#0f141b',
    'editorHoverWidget.background': '#0f141b',
  },
});

/** The editor theme that matches the page's light or dark theme. */
export const editorTheme = (dark: boolean): string => (dark ? 'closing-time-dark' : 'closing-time-light');

/**
 * IntelliSense (the TypeScript language service and its 7 MB worker), loaded
 * on the learner's first focus or edit: Run needs none of it.
 */
let intelliSense: Promise<unknown> | null = null;
export function loadIntelliSense(): Promise<unknown> {
  return (intelliSense ??= import('./monaco-typescript.ts'));
}

export { monaco };
