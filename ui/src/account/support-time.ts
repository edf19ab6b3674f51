// Support time: the balance (overdrawn said so) and the latest support calls.

import { formatDate, formatMinutes } from "../format";
import type { AccountContext, AccountPart } from "./context";

export function createSupportTime(ctx: AccountContext): AccountPart {
  const { page } = ctx;
  const balance = page.el("balance");
  const note = page.el("balance-note");
  const calls = page.el("support-calls");
  const noCalls = page.el("no-support-calls");

  return {
    render(view, t) {
      const minutes = view.support_time.balance_minutes;
      balance.textContent = formatMinutes(minutes);
      balance.classList.toggle("overdrawn", minutes < 0);
      note.hidden = minutes >= 0;
      note.textContent = minutes < 0 ? t.overdrawn(formatMinutes(-minutes)) : "";

      const recent = view.support_time.recent_sessions;
      calls.replaceChildren(
        ...recent.map((call) => {
          const item = page.doc.createElement("li");
          const when = page.doc.createElement("span");
          when.className = "support-call-when";
          when.textContent = t.supportCallLine(
            formatDate(call.at, page.lang(), page.timeZone),
            formatMinutes(call.minutes),
            call.agent,
          );
          item.append(when);
          if (call.note.trim() !== "") {
            const text = page.doc.createElement("span");
            text.className = "support-call-note";
            text.textContent = call.note;
            item.append(text);
          }
          return item;
        }),
      );
      noCalls.hidden = recent.length > 0;
    },
    forget() {},
  };
}
