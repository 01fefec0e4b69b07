// The portal's own behaviours, as a file: the pages' Content-Security-Policy runs no
// inline script and no event attribute (web/page_headers.py).

// <select data-submit-on-change> sends its form when a choice is made (the company
// switch in the header); without JavaScript its form has a button.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change")) {
    field.form?.requestSubmit();
  }
});
