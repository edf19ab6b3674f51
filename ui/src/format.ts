// Numbers, durations and dates as the user reads them, in French or English.

import type { Language } from "./api";

/**
 * The customer ID grouped by three digits from the right, as people read it out on the
 * phone: "10019" → "10 019", "1000090" → "1 000 090". Anything that is not all digits
 * is returned trimmed, untouched.
 */
export function groupCustomerId(id: string): string {
  const digits = id.trim();
  if (!/^\d+$/.test(digits)) {
    return digits;
  }
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) {
    groups.unshift(digits.slice(Math.max(0, end - 3), end));
  }
  return groups.join(" ");
}

/**
 * A duration in minutes: 135 → "2 h 15 min", 60 → "1 h", 45 → "45 min", 0 → "0 min",
 * -75 → "-1 h 15 min". Read the same in French and English.
 */
export function formatMinutes(minutes: number): string {
  const total = Math.round(minutes);
  const sign = total < 0 ? "-" : "";
  const abs = Math.abs(total);
  const hours = Math.floor(abs / 60);
  const rest = abs % 60;
  if (hours === 0) {
    return `${sign}${rest} min`;
  }
  return rest === 0 ? `${sign}${hours} h` : `${sign}${hours} h ${rest} min`;
}

function locale(lang: Language): string {
  return lang === "fr" ? "fr-FR" : "en-GB";
}

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "22 novembre 2025 à 10:04" / "22 November 2025 at 10:04"; an unreadable date as is. */
export function formatDateTime(iso: string, lang: Language, timeZone?: string): string {
  const date = parse(iso);
  if (date === null) {
    return iso;
  }
  const options: Intl.DateTimeFormatOptions = { dateStyle: "long", timeStyle: "short" };
  if (timeZone !== undefined) {
    options.timeZone = timeZone;
  }
  return new Intl.DateTimeFormat(locale(lang), options).format(date);
}

/** "22 nov. 2025" / "22 Nov 2025"; an unreadable date as is. */
export function formatDate(iso: string, lang: Language, timeZone?: string): string {
  const date = parse(iso);
  if (date === null) {
    return iso;
  }
  const options: Intl.DateTimeFormatOptions = { dateStyle: "medium" };
  if (timeZone !== undefined) {
    options.timeZone = timeZone;
  }
  return new Intl.DateTimeFormat(locale(lang), options).format(date);
}

/**
 * How long to wait, rounded up: "45 secondes", "1 minute", "3 minutes", "1 h 30 min"
 * (and the English words).
 */
export function formatWait(seconds: number, lang: Language): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) {
    if (lang === "fr") {
      return s === 1 ? "1 seconde" : `${s} secondes`;
    }
    return s === 1 ? "1 second" : `${s} seconds`;
  }
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) {
    return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  }
  return formatMinutes(minutes);
}
