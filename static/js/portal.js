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
