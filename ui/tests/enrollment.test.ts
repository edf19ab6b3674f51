import { describe, expect, it } from "vitest";
import { keyStatus, readKeyForm, readWholeNumber, staleMachines, STALE_DAYS } from "../src/enrollment";
import { account } from "./fixtures";

const codes = (read: ReturnType<typeof readKeyForm>) =>
  Array.isArray(read) ? read.map((e) => `${e.field}:${e.code}`) : read;

describe("the enrollment key form", () => {
  it("gives the label trimmed and the numbers typed", () => {
    expect(readKeyForm({ label: "  Salle de formation ", uses: "25", days: " 30" })).toEqual({
      label: "Salle de formation",
      uses: 25,
      validDays: 30,
    });
  });

  it("refuses each field with the service's field key and code", () => {
    expect(codes(readKeyForm({ label: " ", uses: "", days: "91" }))).toEqual([
      "label:empty",
      "uses:empty",
      "valid_days:out_of_range",
    ]);
    expect(codes(readKeyForm({ label: "é".repeat(61), uses: "0", days: "2.5" }))).toEqual([
      "label:too_long",
      "uses:out_of_range",
      "valid_days:out_of_range",
    ]);
    expect(codes(readKeyForm({ label: "é".repeat(60), uses: "500", days: "1" }))).toEqual({
      label: "é".repeat(60),
      uses: 500,
      validDays: 1,
    });
    expect(codes(readKeyForm({ label: "a\tb", uses: "501", days: "-1" }))).toEqual([
      "label:control_characters",
      "uses:out_of_range",
      "valid_days:out_of_range",
    ]);
  });

  it("reads a whole number within its range", () => {
    expect(readWholeNumber("30", "not_seen_days", STALE_DAYS)).toEqual({ value: 30 });
    expect(readWholeNumber("3651", "not_seen_days", STALE_DAYS)).toMatchObject({ code: "out_of_range" });
    expect(readWholeNumber("1e3", "not_seen_days", STALE_DAYS)).toMatchObject({ code: "out_of_range" });
  });

  it("reads the status words it knows, anything else as not usable", () => {
    expect(["active", "expired", "used_up", "revoked", "odd"].map(keyStatus)).toEqual([
      "active",
      "expired",
      "used_up",
      "revoked",
      "expired",
    ]);
  });
});

describe("the computers not seen for N days", () => {
  const view = account();
  const machine = view.machines[1]!;
  const many = account({
    machines: [
      ...view.machines,
      { ...machine, machine_id: "m-old", name: "PC-OLD", last_seen_at: "2025-09-01T08:00:00Z" },
      { ...machine, machine_id: "m-bad", name: "PC-BAD", last_seen_at: "not a date" },
    ],
  });
  const now = new Date("2025-11-30T12:00:00Z");

  it("are the others last seen before now minus N days, oldest first", () => {
    expect(staleMachines(many, 10, now).map((m) => m.machine_id)).toEqual(["m-old", "m-other"]);
    expect(staleMachines(many, 30, now).map((m) => m.machine_id)).toEqual(["m-old"]);
    expect(staleMachines(many, 100, now)).toEqual([]);
  });

  it("never include this computer", () => {
    expect(staleMachines(many, 1, new Date("2030-01-01T00:00:00Z")).map((m) => m.machine_id)).not.toContain("m-this");
  });
});
