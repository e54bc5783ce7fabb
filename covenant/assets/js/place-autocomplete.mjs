// Long lists of places become a type-ahead search.
//
// Built from accessible-autocomplete's own source with Preact 8, the version its build uses: 8 KB compressed,
// where its ready-made bundle, which carries polyfills for browsers that cannot run this script anyway, is 20 KB
// and takes several times as long to start on a slow phone.
import accessibleAutocomplete from "accessible-autocomplete/src/wrapper.js";

// The empty choice ("Anywhere in England") stays in the list: without it, tapping into the box and out again
// would choose the first place in the list.
export function enhancePlaceLists(selects) {
  for (const select of selects) {
    accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "",
      showAllValues: true,
      preserveNullOptions: true,
    });
  }
}

// The search's one "Where" box (a town, a postcode, a council area or a region) suggests places as you type,
// from the service's own list (/opportunities/places). The box keeps its name, so the form sends what was typed
// or chosen either way; a postcode is never in the list and is sent as typed.
export function enhanceWhereBoxes(inputs) {
  for (const input of inputs) {
    const container = document.createElement("div");
    input.parentNode.insertBefore(container, input);
    const described = input.getAttribute("aria-describedby");
    let latest = 0;
    accessibleAutocomplete({
      element: container,
      id: input.id,
      name: input.name,
      defaultValue: input.value,
      minLength: 2,
      autoselect: false,
      confirmOnBlur: false,
      showNoOptionsFound: false,
      inputClasses: input.classList.contains("govuk-input--error") ? "govuk-input--error" : null,
      source: (query, populate) => {
        const asked = ++latest;
        fetch(`${input.dataset.source}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : []))
          .then((names) => asked === latest && populate(names))
          .catch(() => populate([]));
      },
    });
    input.remove();
    const typed = container.querySelector("input");
    if (typed && described) {
      typed.dataset.describedby = described;
      typed.setAttribute("aria-describedby", described);
    }
  }
}
