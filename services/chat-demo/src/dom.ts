/** The page's elements, found once at load: a missing or changed element fails loudly, not later. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`The page has no #${id} of the expected kind`);
  return found;
}

/** A new element with a class and its text (textContent only, never markup). */
export function textElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.className = className;
  element.textContent = text;
  return element;
}

/** A form field's problem: the text in its error line, `aria-invalid`, and focus back on the field. */
export function markInvalid(input: HTMLInputElement, error: HTMLElement, text: string): void {
  error.textContent = text;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

/** The field is fine again: no `aria-invalid`, an empty error line. */
export function markValid(input: HTMLInputElement, error: HTMLElement): void {
  input.removeAttribute('aria-invalid');
  error.textContent = '';
}
