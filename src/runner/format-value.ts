// console.log for programs, formatted the way Node's util.format/util.inspect
// print values, so output reads the same in the browser and in the terminal.
// An object with a toString of its own (not Object's or Array's), such as the
// table os.ss() returns, prints through it.

const MAX_DEPTH = 2;
const MAX_ITEMS = 100;
const MAX_STRING = 10_000;

function hasOwnToString(value: object): boolean {
  const fn = (value as { toString?: unknown }).toString;
  return (
    typeof fn === 'function' &&
    fn !== Object.prototype.toString &&
    fn !== Array.prototype.toString &&
    fn !== Error.prototype.toString &&
    fn !== Function.prototype.toString &&
    fn !== Date.prototype.toString &&
    fn !== RegExp.prototype.toString
  );
}

function quote(s: string): string {
  const cut = s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s;
  const q = !cut.includes("'") ? "'" : !cut.includes('"') ? '"' : !cut.includes('`') ? '`' : "'";
  const escaped = cut.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').split(q).join(`\\${q}`);
  return `${q}${escaped}${q}${s.length > MAX_STRING ? `... ${s.length - MAX_STRING} more characters` : ''}`;
}

function keyText(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key);
}

function className(value: object): string | null {
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return '[Object: null prototype]';
  const name = proto?.constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? name : null;
}

function join(open: string, items: string[], close: string, prefix = ''): string {
  if (items.length === 0) return `${prefix}${open}${close}`;
  const oneLine = `${prefix}${open} ${items.join(', ')} ${close}`;
  if (oneLine.length <= 72 && !items.some((i) => i.includes('\n'))) return oneLine;
  const inner = items.map((i) => '  ' + i.split('\n').join('\n  ')).join(',\n');
  return `${prefix}${open}\n${inner}\n${close}`;
}

/** A value as util.inspect prints it (a useful subset). */
export function inspect(value: unknown, depth = 0, seen: Set<object> = new Set()): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function': {
      const isClass = /^class[\s{]/.test(Function.prototype.toString.call(value));
      const name = value.name;
      return isClass ? `[class ${name || '(anonymous)'}]` : name ? `[Function: ${name}]` : '[Function (anonymous)]';
    }
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) return '[Circular *1]';
  if (obj instanceof Error) {
    const stack = typeof obj.stack === 'string' && obj.stack.startsWith(`${obj.name}`) ? obj.stack : `${obj.name}: ${obj.message}`;
    if (depth > 0) return `[${obj.name}: ${obj.message}]`;
    // Like Node: the error's own fields (a SocketError's code and syscall) after its stack.
    const fields = Object.keys(obj).filter((k) => k !== 'name' && k !== 'message' && k !== 'stack');
    if (fields.length === 0) return stack;
    seen.add(obj);
    try {
      return `${stack} { ${fields.map((k) => `${keyText(k)}: ${inspect((obj as unknown as Record<string, unknown>)[k], depth + 1, seen)}`).join(', ')} }`;
    } finally {
      seen.delete(obj);
    }
  }
  if (hasOwnToString(obj)) return String(obj);
  if (obj instanceof Date) return isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (obj instanceof RegExp) return obj.toString();
  if (obj instanceof Promise) return 'Promise { <pending> }';
  if (depth > MAX_DEPTH) return Array.isArray(obj) ? '[Array]' : `[${className(obj) ?? 'Object'}]`;
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      const items = obj.slice(0, MAX_ITEMS).map((v) => inspect(v, depth + 1, seen));
      if (obj.length > MAX_ITEMS) items.push(`... ${obj.length - MAX_ITEMS} more items`);
      const name = className(obj);
      return join('[', items, ']', name && name !== 'Array' ? `${name}(${obj.length}) ` : '');
    }
    if (obj instanceof Map) {
      const items = [...obj].slice(0, MAX_ITEMS).map(([k, v]) => `${inspect(k, depth + 1, seen)} => ${inspect(v, depth + 1, seen)}`);
      return join('{', items, '}', `Map(${obj.size}) `);
    }
    if (obj instanceof Set) {
      const items = [...obj].slice(0, MAX_ITEMS).map((v) => inspect(v, depth + 1, seen));
      return join('{', items, '}', `Set(${obj.size}) `);
    }
    const keys = Object.keys(obj);
    const items = keys.slice(0, MAX_ITEMS).map((k) => {
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[k];
      } catch (error) {
        return `${keyText(k)}: [Getter threw: ${error instanceof Error ? error.message : String(error)}]`;
      }
      return `${keyText(k)}: ${inspect(v, depth + 1, seen)}`;
    });
    if (keys.length > MAX_ITEMS) items.push(`... ${keys.length - MAX_ITEMS} more properties`);
    const name = className(obj);
    return join('{', items, '}', name ? `${name} ` : '');
  } finally {
    seen.delete(obj);
  }
}

/** util.format: printf-style %s %d %i %f %j %o %O %c %% in a first string argument, the rest inspected. */
export function formatLogArgs(args: readonly unknown[]): string {
  if (args.length === 0) return '';
  const text = (v: unknown) => (typeof v === 'string' ? v : inspect(v));
  let rest = args;
  let head = '';
  if (typeof args[0] === 'string' && args[0].includes('%')) {
    let i = 1;
    head = args[0].replace(/%([sdifjoOc%])/g, (whole, spec: string) => {
      if (spec === '%') return '%';
      if (i >= args.length) return whole;
      const v = args[i++];
      switch (spec) {
        case 's':
          return typeof v === 'string' ? v : typeof v === 'object' && v !== null && !hasOwnToString(v) ? inspect(v, 1) : String(v);
        case 'd':
        case 'i': {
          const n = typeof v === 'bigint' ? v : Number(v);
          return typeof n === 'bigint' ? `${n}n` : String(spec === 'i' ? Math.trunc(n) : n);
        }
        case 'f':
          return String(parseFloat(String(v)));
        case 'j':
          try {
            return JSON.stringify(v);
          } catch {
            return '[Circular]';
          }
        case 'c':
          return '';
        default:
          return inspect(v);
      }
    });
    rest = args.slice(i);
    return [head, ...rest.map(text)].join(' ');
  }
  return args.map(text).join(' ');
}
