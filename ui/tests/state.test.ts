import { describe, expect, it } from "vitest";
import { afterRefusedCode, pendingEmail } from "../src/state";
import { account, details } from "./fixtures";

describe("a change of e-mail address waiting for its code", () => {
  it("is the account's pending_email, when there is one", () => {
    expect(pendingEmail(account())).toBeNull();
    expect(pendingEmail(account({ pending_email: null }))).toBeNull();
    expect(pendingEmail(account({ pending_email: " " }))).toBeNull();
    expect(pendingEmail(account({ pending_email: "new@dupont.fr" }))).toBe("new@dupont.fr");
  });

  it("after a refused code, tells what happened to it", () => {
    const asked = "new@dupont.fr";
    expect(afterRefusedCode(asked, account({ pending_email: asked }))).toBe("still-pending");
    expect(afterRefusedCode(asked, account({ pending_email: "NEW@dupont.fr" }))).toBe("still-pending");
    expect(afterRefusedCode(asked, account({ pending_email: "other@dupont.fr" }))).toBe("replaced");
    expect(afterRefusedCode(asked, account({ details: details({ email: asked }) }))).toBe("confirmed");
    expect(afterRefusedCode(asked, account())).toBe("dropped");
  });
});
