// The small DOM gestures every screen repeats: finding index.html's elements, marking an
// input invalid, opening and closing a native dialog.

/** The element with this id, of this type; a missing one is a bug in index.html. */
export function byId<T extends HTMLElement>(doc: Document, id: string, type: abstract new () => T): T {
  const element = doc.getElementById(id);
  if (!(element instanceof type)) {
    throw new Error(`index.html: missing #${id}`);
  }
  return element;
}

export function markInvalid(element: HTMLInputElement, invalid: boolean): void {
  if (invalid) {
    element.setAttribute("aria-invalid", "true");
  } else {
    element.removeAttribute("aria-invalid");
  }
}

/** Focuses the input and selects what it holds, to be corrected rather than retyped. */
export function focusToCorrect(element: HTMLInputElement): void {
  element.focus();
  element.select();
}

export function openModal(target: HTMLDialogElement): void {
  if (typeof target.showModal === "function") {
    target.showModal();
  } else {
    target.setAttribute("open", "");
  }
}

export function closeModal(target: HTMLDialogElement): void {
  if (!target.hasAttribute("open")) {
    return;
  }
  if (typeof target.close === "function") {
    target.close();
  } else {
    target.removeAttribute("open");
  }
}

/** The "Show the password" boxes: each one shows the input its `data-reveals` names. */
export function wireRevealBoxes(doc: Document): void {
  for (const reveal of doc.querySelectorAll<HTMLInputElement>("input.reveal")) {
    reveal.addEventListener("change", () => {
      const target = doc.getElementById(reveal.dataset["reveals"] ?? "");
      if (target instanceof HTMLInputElement) {
        target.type = reveal.checked ? "text" : "password";
      }
    });
  }
}

/** Hides the password again and unticks its box. */
export function hidePassword(input: HTMLInputElement): void {
  input.type = "password";
  const reveal = input.ownerDocument.querySelector<HTMLInputElement>(`input.reveal[data-reveals="${input.id}"]`);
  if (reveal !== null) {
    reveal.checked = false;
  }
}
