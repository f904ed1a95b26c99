// Case pages: small progressive enhancements. Every form works without JavaScript; the server checks
// everything again.
document.addEventListener("DOMContentLoaded", () => {
  // "Add another item" for the request-changes form: the page always renders a few empty rows; this adds
  // more when an officer needs them.
  document.querySelectorAll("[data-add-item]").forEach((button) => {
    const list = document.getElementById(button.getAttribute("data-add-item"));
    if (!list) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const rows = list.querySelectorAll("li");
      const last = rows[rows.length - 1];
      if (!last) return;
      const copy = last.cloneNode(true);
      const index = rows.length;
      // WTForms names nested fields "items-<n>-field" / "items-<n>-problem": renumber every control.
      copy.querySelectorAll("input, select, label").forEach((control) => {
        ["name", "id", "for"].forEach((attribute) => {
          const value = control.getAttribute(attribute);
          if (value) control.setAttribute(attribute, value.replace(/-\d+-/, "-" + index + "-"));
        });
        if (control.tagName === "INPUT") control.value = "";
        if (control.tagName === "SELECT") control.selectedIndex = 0;
      });
      const number = copy.querySelector(".item-no");
      if (number) number.textContent = String(index + 1) + ".";
      list.appendChild(copy);
      const first = copy.querySelector("select, input");
      if (first) first.focus();
    });
  });

  // Refuse a file that is too large or of the wrong kind before it is sent (the server refuses it anyway,
  // but a 10 MB upload over a phone connection is slow to be told off for).
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
    const max = Number(input.getAttribute("data-max-bytes"));
    const message = input.getAttribute("data-too-large");
    const holder = input.closest(".field");
    input.addEventListener("change", () => {
      let note = holder && holder.querySelector(".client-error");
      if (note) note.remove();
      const file = input.files && input.files[0];
      if (file && file.size > max) {
        input.setCustomValidity(message);
        note = document.createElement("p");
        note.className = "error client-error";
        note.setAttribute("role", "alert");
        note.textContent = message;
        if (holder) holder.appendChild(note);
      } else {
        input.setCustomValidity("");
      }
    });
  });

  // Ask before irreversible officer actions (revocation, rejection).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
});
