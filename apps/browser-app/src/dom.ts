/** The element with this id; the page's markup is fixed, so a missing one is a bug. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

export const count = (n: number) => new Intl.NumberFormat("en").format(n);

/** Says `text` to screen readers (polite): milestones, not every tick. */
export function announce(text: string): void {
  const region = $("announcer");
  // Cleared first so that the same text twice is announced twice.
  region.textContent = "";
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** Fills an error notice (a `role="alert"` element, so it is announced) and shows it. */
export function showError(
  notice: HTMLElement,
  { title, text, details }: { title: string; text: string; details?: string },
): void {
  const heading = document.createElement("h2");
  heading.textContent = title;
  const body = document.createElement("p");
  body.textContent = text;
  notice.replaceChildren(heading, body);
  if (details) {
    const more = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Technical details";
    const code = document.createElement("code");
    code.textContent = details;
    more.append(summary, code);
    notice.append(more);
  }
  notice.hidden = false;
}

export function hideError(notice: HTMLElement): void {
  notice.hidden = true;
  notice.replaceChildren();
}

/** Marks a field invalid with its message (read with the field, through aria-describedby). */
export function fieldError(input: HTMLElement, error: HTMLElement, message: string | null): void {
  error.textContent = message ?? "";
  error.hidden = message === null;
  if (message === null) input.removeAttribute("aria-invalid");
  else input.setAttribute("aria-invalid", "true");
}

/** A button that shows it is working, and cannot be pressed twice meanwhile. */
export function busy(button: HTMLButtonElement, label: string | null): void {
  if (label !== null) {
    button.dataset.label ??= button.textContent ?? "";
    button.textContent = label;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  } else {
    button.textContent = button.dataset.label ?? button.textContent;
    delete button.dataset.label;
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
