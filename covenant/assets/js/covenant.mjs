// Progressive enhancement only: every page works without JavaScript.
//
// esbuild bundles this file with only the components imported here (`make assets`), so a page that starts
// using another GOV.UK or MOJ component with a `data-module` needs it added to COMPONENTS.
import {
  Button,
  CharacterCount,
  Checkboxes,
  createAll,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink,
} from "govuk-frontend";
import { FilterToggleButton } from "@ministryofjustice/frontend";

const COMPONENTS = [
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  NotificationBanner,
  PasswordInput,
  Radios,
  ServiceNavigation,
  SkipLink,
];
for (const Component of COMPONENTS) {
  createAll(Component);
}

// On small screens the search filters fold away behind a "Show filters" button; on big ones they start open,
// beside the results.
createAll(FilterToggleButton, {
  startHidden: false,
  toggleButton: { showText: "Show filters", hideText: "Hide filters", classes: "govuk-button--secondary" },
});

// Long lists of places become a type-ahead search. Its code is fetched only by pages that have such a list;
// until it arrives, or if it never does, the list works as it is.
const placeLists = document.querySelectorAll('select[data-module="covenant-autocomplete"]');
const whereBoxes = document.querySelectorAll('input[data-module="covenant-where"]');
if (placeLists.length || whereBoxes.length) {
  import("./place-autocomplete.mjs").then(({ enhancePlaceLists, enhanceWhereBoxes }) => {
    enhancePlaceLists(placeLists);
    enhanceWhereBoxes(whereBoxes);
  });
}
