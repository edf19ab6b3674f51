// @vitest-environment jsdom
// Support time: the balance and the latest support calls.

import { describe, expect, it } from "vitest";
import { $, account, openAccount, text } from "../fixtures";

describe("support time", () => {
  it("shows the balance and each support call with its agent and note", () => {
    openAccount();
    expect(text("#support-time-title")).toBe("Crédit d'assistance");
    expect(text("#balance")).toBe("2 h 15 min");
    expect($("#balance-note").hidden).toBe(true);
    const calls = [...document.querySelectorAll("#support-calls li")].map((li) => li.textContent);
    expect(calls).toEqual(["12 nov. 2025 — 25 min avec JulienClôture de l'exercice"]);
    expect($("#no-support-calls").hidden).toBe(true);
  });

  it("says an overdrawn balance, and that no support call was made yet", () => {
    openAccount({ state: "linked", account: account({ support_time: { balance_minutes: -75, recent_sessions: [] } }) });
    expect(text("#balance")).toBe("-1 h 15 min");
    expect($("#balance").classList.contains("overdrawn")).toBe(true);
    expect(text("#balance-note")).toBe("Crédit dépassé de 1 h 15 min.");
    expect($("#no-support-calls").hidden).toBe(false);
    expect(text("#no-support-calls")).toBe("Aucune intervention pour l'instant.");
  });

  it("speaks English too", () => {
    const { page } = openAccount({ state: "linked", account: account({ support_time: { balance_minutes: -75, recent_sessions: [] } }) });
    page.setLanguage("en");
    expect(text("#balance-note")).toBe("Support time overdrawn by 1 h 15 min.");
    expect(text("#no-support-calls")).toBe("No support call yet.");
    expect(text("#screen-account h3")).toBe("Latest support calls");
  });
});
