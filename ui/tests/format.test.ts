import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatMinutes, formatWait, groupCustomerId } from "../src/format";

describe("groupCustomerId", () => {
  it.each([
    ["10019", "10 019"],
    ["1000090", "1 000 090"],
    ["123", "123"],
    ["1234", "1 234"],
    ["12", "12"],
    ["123456", "123 456"],
    [" 10019 ", "10 019"],
  ])("%s → %s", (id, grouped) => {
    expect(groupCustomerId(id)).toBe(grouped);
  });

  it("leaves anything but digits alone", () => {
    expect(groupCustomerId("AB-12")).toBe("AB-12");
    expect(groupCustomerId("")).toBe("");
  });
});

describe("formatMinutes", () => {
  it.each([
    [135, "2 h 15 min"],
    [60, "1 h"],
    [45, "45 min"],
    [0, "0 min"],
    [61, "1 h 1 min"],
    [600, "10 h"],
    [-30, "-30 min"],
    [-135, "-2 h 15 min"],
    [-120, "-2 h"],
  ])("%d → %s", (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});

describe("dates", () => {
  const at = "2025-11-22T09:04:00Z";

  it("reads a date and time in each language", () => {
    expect(formatDateTime(at, "fr", "Europe/Paris")).toBe("22 novembre 2025 à 10:04");
    expect(formatDateTime(at, "en", "Europe/Paris")).toBe("22 November 2025 at 10:04");
  });

  it("reads a short date in each language", () => {
    expect(formatDate(at, "fr", "UTC")).toBe("22 nov. 2025");
    expect(formatDate(at, "en", "UTC")).toBe("22 Nov 2025");
  });

  it("shows an unreadable date as it came", () => {
    expect(formatDateTime("yesterday", "fr")).toBe("yesterday");
    expect(formatDate("", "en")).toBe("");
  });
});

describe("formatWait", () => {
  it.each([
    [1, "fr", "1 seconde"],
    [30, "fr", "30 secondes"],
    [30, "en", "30 seconds"],
    [60, "en", "1 minute"],
    [61, "fr", "2 minutes"],
    [180, "fr", "3 minutes"],
    [3600, "fr", "1 h"],
    [0, "en", "1 second"],
  ] as const)("%d s in %s → %s", (seconds, lang, text) => {
    expect(formatWait(seconds, lang)).toBe(text);
  });
});
