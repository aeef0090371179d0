// Copies text to the clipboard. The Clipboard API needs a secure context, which a
// workshop served over plain http on a LAN address is not; there, selecting the
// field and the older copy command still work.
export async function copyText(text: string, field?: HTMLInputElement): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection
  }
  if (!field) return false;
  field.focus();
  field.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
