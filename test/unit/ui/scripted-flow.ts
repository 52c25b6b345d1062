// A scripted FlowUi (the thin host wrapper of the quick inputs): answers each step by its title and records what was
// shown, so command flows run in unit tests without VS Code.
import { BackRequested, type FlowUi, type FlowUiFactory, type PickItem } from '../../../src/ui/commands/flow';

export interface Shown {
  title: string;
  kind: 'pick' | 'input';
  placeholder: string;
  items: Array<PickItem<unknown>>;
  active?: unknown;
  value?: string;
}

/** Answers by step title ("Start Rollback: route"); a function may press Back or look at what is shown. */
export type Answer = string | ((shown: Shown) => unknown);

export function scripted(script: (shown: Shown, count: number) => Answer): { makeUi: FlowUiFactory; shown: Shown[] } {
  const shown: Shown[] = [];
  const answer = (s: Shown): unknown => {
    shown.push(s);
    if (shown.length > 60) throw new Error(`the flow does not end: ${shown.map((x) => x.title).join(' → ')}`);
    const a = script(s, shown.filter((x) => x.title === s.title).length);
    return typeof a === 'function' ? a(s) : a;
  };
  const makeUi: FlowUiFactory = (title) => {
    const ui: FlowUi = {
      async pick({ placeholder, items, activeValue }) {
        const a = answer({ title, kind: 'pick', placeholder, items: [...items], active: activeValue });
        if (typeof a !== 'string') return a as never;
        const item = items.find((it) => it.label === a || it.value === a);
        if (!item) throw new Error(`${title}: no choice "${a}" among ${items.map((it) => it.label).join(', ')}`);
        return item.value;
      },
      async input({ prompt, value, validate }) {
        const a = answer({ title, kind: 'input', placeholder: prompt, items: [], ...(value !== undefined ? { value } : {}) });
        const text = String(a);
        const problem = validate(text);
        if (problem) throw new Error(`${title}: "${text}" refused: ${problem}`);
        return text;
      },
    };
    return ui;
  };
  return { makeUi, shown };
}

export const back = (): never => {
  throw new BackRequested();
};
export const submit = (s: Shown) => (s.items[0] as PickItem<unknown>).value;

