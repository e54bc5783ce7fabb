// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "../govuk/govuk-frontend.min.js";
import { FilterToggleButton, initAll as initMojAll } from "../moj/moj-frontend.mjs";

initAll();
initMojAll();

// On small screens the search filters fold away behind a "Show filters" button; on big ones they start open,
// beside the results.
for (const filter of document.querySelectorAll('[data-module="moj-filter"]')) {
  new FilterToggleButton(filter, {
    startHidden: false,
    toggleButton: { showText: "Show filters", hideText: "Hide filters", classes: "govuk-button--secondary" },
  });
}

// Long lists of places become a type-ahead search when accessible-autocomplete has loaded. The empty choice
// ("Anywhere in England") stays in the list: without it, tapping into the box and out again would choose the
// first place in the list.
const autocomplete = window.accessibleAutocomplete;
if (autocomplete) {
  for (const select of document.querySelectorAll('select[data-module="covenant-autocomplete"]')) {
    autocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "",
      showAllValues: true,
      preserveNullOptions: true,
    });
  }
}
