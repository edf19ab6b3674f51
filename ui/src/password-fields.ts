// The account password's field, written once for the three places that ask for it
// (password entry, link, the password dialog): index.html holds a
// <template data-password-field="<input id>"> where each goes.

interface PasswordField {
  id: "sent-password" | "link-password" | "dialog-password";
  /** The format hint ("15 characters in three groups…"), as `<id>-hint`. */
  hint: boolean;
  /** What describes the input, in reading order (the hint included where it goes). */
  describedBy: string[];
}

export const PASSWORD_FIELDS: readonly PasswordField[] = [
  { id: "sent-password", hint: true, describedBy: ["sent-text", "sent-password-hint", "sent-error"] },
  { id: "link-password", hint: true, describedBy: ["link-password-hint", "link-error"] },
  { id: "dialog-password", hint: false, describedBy: ["dialog-error", "dialog-forgot"] },
];

/** Fills every `<template data-password-field>` of the page with its field (once). */
export function buildPasswordFields(doc: Document): void {
  for (const slot of doc.querySelectorAll<HTMLTemplateElement>("template[data-password-field]")) {
    const field = PASSWORD_FIELDS.find((f) => f.id === slot.dataset["passwordField"]);
    if (field !== undefined) {
      slot.replaceWith(...passwordField(doc, field));
    }
  }
}

function passwordField(doc: Document, field: PasswordField): HTMLElement[] {
  const label = doc.createElement("label");
  label.htmlFor = field.id;
  label.dataset["fieldLabel"] = "password";
  const parts: HTMLElement[] = [label];
  if (field.hint) {
    const hint = doc.createElement("p");
    hint.id = `${field.id}-hint`;
    hint.className = "hint";
    hint.dataset["i18n"] = "passwordHint";
    parts.push(hint);
  }
  const input = doc.createElement("input");
  input.id = field.id;
  input.name = "password";
  input.type = "password";
  // Mailed passwords are upper-case letter groups: no autofill, no spelling fixes.
  input.setAttribute("autocomplete", "off");
  input.setAttribute("autocapitalize", "characters");
  input.setAttribute("spellcheck", "false");
  input.setAttribute("aria-required", "true");
  input.setAttribute("aria-describedby", field.describedBy.join(" "));

  const reveal = doc.createElement("label");
  reveal.className = "check";
  const box = doc.createElement("input");
  box.type = "checkbox";
  box.className = "reveal";
  box.dataset["reveals"] = field.id;
  const words = doc.createElement("span");
  words.dataset["i18n"] = "showPassword";
  reveal.append(box, " ", words);
  parts.push(input, reveal);
  return parts;
}
