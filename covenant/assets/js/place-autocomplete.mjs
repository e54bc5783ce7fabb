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
