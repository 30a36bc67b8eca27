/* GOV.UK Frontend's components on every page (error summary focus, the phone menu toggle, tabs, radios and
   checkboxes with revealed questions, double-click protection on buttons). A module, loaded from our own
   origin: the Content-Security-Policy allows no inline script, so the class GOV.UK's template sets inline
   is set here. */
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

/* A button that asks first (deleting a draft): data-confirm holds the question; without JavaScript the
   server's own confirmation page asks instead. */
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
});

/* Common opinion phrases (常用意见): each becomes a button that puts the phrase into the opinion where the
   cursor is. Without JavaScript the phrases stay checkboxes, and the server puts the ticked ones first. */
document.querySelectorAll(".phrase-picker[data-target]").forEach((picker) => {
  const target = document.getElementById(picker.dataset.target);
  const boxes = picker.querySelector(".govuk-checkboxes");
  if (!target || !boxes) return;
  const buttons = document.createElement("div");
  buttons.className = "phrase-buttons";
  picker.querySelectorAll(".govuk-checkboxes__item").forEach((item) => {
    const input = item.querySelector("input");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary phrase-button";
    button.textContent = input.value;
    button.addEventListener("click", () => {
      const start = target.selectionStart ?? target.value.length;
      const end = target.selectionEnd ?? start;
      target.value = target.value.slice(0, start) + input.value + target.value.slice(end);
      target.focus();
      target.selectionStart = target.selectionEnd = start + input.value.length;
    });
    buttons.appendChild(button);
    input.checked = false;
  });
  boxes.replaceWith(buttons);
});

/* The window's material check is saved as the clerk goes: a choice at once, a problem when the field is
   left. Without JavaScript each row has its own save button. */
document.querySelectorAll("form[data-autosave]").forEach((form) => {
  const say = (row, text, bad) => {
    const status = row.querySelector(".check-status");
    if (status) {
      status.textContent = text;
      status.classList.toggle("check-status--error", !!bad);
    }
  };
  const save = async (row) => {
    const pk = row.id.replace("check-", "");
    const verdict = row.querySelector(`input[name="verdict_${pk}"]:checked`);
    const problem = row.querySelector(`input[name="problem_${pk}"]`);
    if (!verdict) return;
    if (verdict.value === "fix" && !problem.value.trim()) {
      say(row, form.dataset.msgNeedProblem);
      return;
    }
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("row", pk);
    data.append(`verdict_${pk}`, verdict.value);
    data.append(`problem_${pk}`, problem.value);
    if (row.querySelector(`input[name="seen_${pk}"]`).checked) data.append(`seen_${pk}`, "1");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (response.ok) {
        const now = new Date();
        const hhmm = `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
        say(row, `${form.dataset.msgSaved} ${hhmm}`);
        // the correction notice below follows the check: a material needing correction is ticked in it
        const tick = document.querySelector(
          `form[action$="/do/request_correction/"] input[name=materials][value="${pk}"]`,
        );
        if (tick) {
          tick.checked = verdict.value === "fix";
          if (problem.value.trim() && tick.labels.length) {
            tick.labels[0].textContent = `${row.dataset.name}：${problem.value.trim()}`;
          }
        }
      } else {
        const messages = Object.values(answer.errors || {}).flat();
        say(row, messages[0] || answer.message, true);
      }
    } catch {
      say(row, form.dataset.msgFailed, true);
    }
  };
  form.querySelectorAll(".material-row").forEach((row) => {
    row.addEventListener("change", () => save(row));
  });
});
