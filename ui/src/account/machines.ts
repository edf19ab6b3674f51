// The computers linked to the account: this one first, the others unlinked from here with
// the account password.

import type { AccountView, MachineView } from "../api";
import { describeError } from "../call";
import { formatDateTime } from "../format";
import type { Texts } from "../i18n";
import { sortedMachines } from "../state";
import type { AccountContext, AccountPart } from "./context";

export function createMachines(ctx: AccountContext): AccountPart {
  const { page } = ctx;
  const list = page.el("machines");

  function item(view: AccountView, machine: MachineView, t: Texts): HTMLLIElement {
    const doc = page.doc;
    const element = doc.createElement("li");
    element.dataset["machineId"] = machine.machine_id;
    const isThis = machine.machine_id === view.this_machine_id;
    if (isThis) {
      element.classList.add("this-machine");
    }

    const about = doc.createElement("div");
    about.className = "machine-about";
    const title = doc.createElement("span");
    title.className = "machine-title";
    const name = doc.createElement("span");
    name.className = "machine-name";
    name.textContent = machine.name;
    title.append(name);
    if (isThis) {
      const badge = doc.createElement("span");
      badge.className = "badge";
      badge.textContent = t.thisMachine;
      title.append(" ", badge);
    }
    about.append(title);
    const meta = doc.createElement("span");
    meta.className = "machine-meta";
    meta.textContent = `${machine.os} · ${t.lastSeen(formatDateTime(machine.last_seen_at, page.lang(), page.timeZone))}`;
    about.append(meta);
    if (machine.shares_identity) {
      const shared = doc.createElement("span");
      shared.className = "machine-shared";
      shared.textContent = t.sharesIdentity;
      about.append(shared);
    }
    element.append(about);

    if (!isThis) {
      const unlink = doc.createElement("button");
      unlink.type = "button";
      unlink.className = "unlink-machine small";
      unlink.textContent = t.unlinkMachine;
      unlink.setAttribute("aria-label", t.unlinkMachineLabel(machine.name));
      unlink.disabled = ctx.readOnly();
      element.append(unlink);
    }
    return element;
  }

  async function unlink(machine: MachineView, password: string): Promise<void> {
    const dialog = ctx.passwordDialog;
    const done = await ctx.call(() => page.backend.unlinkMachine(machine.machine_id, password), {
      ...dialog.errors,
      on: {
        machine_not_found: async (failure) => {
          dialog.close();
          page.notify("error", (_t, l) => describeError(failure, l));
          await ctx.refresh();
        },
      },
    });
    if (done === null) {
      return;
    }
    dialog.close();
    const name = machine.name;
    page.notify("success", (t) => t.machineUnlinkedNotice(name));
    await ctx.refresh();
  }

  list.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("button.unlink-machine") : null;
    const element = target?.closest<HTMLElement>("li[data-machine-id]") ?? null;
    const machine = ctx.view()?.machines.find((m) => m.machine_id === element?.dataset["machineId"]);
    if (target instanceof HTMLElement && machine !== undefined && !page.busy() && !ctx.readOnly()) {
      const name = machine.name;
      ctx.passwordDialog.open(
        {
          title: (t) => t.unlinkMachineTitle(name),
          text: (t) => t.unlinkMachineDialogText,
          submit: (t) => t.unlinkMachine,
          run: (password) => unlink(machine, password),
        },
        target,
      );
    }
  });

  return {
    render(view, t) {
      list.replaceChildren(...sortedMachines(view).map((machine) => item(view, machine, t)));
    },
    forget() {},
  };
}
