// Shows that a simulation is running (it takes a few seconds); the form works without it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("simulation-form");
  const busy = document.getElementById("simulation-busy");
  if (form && busy) {
    form.addEventListener("submit", () => {
      busy.hidden = false;
      const button = form.querySelector("button[type=submit]");
      if (button) button.setAttribute("aria-disabled", "true");
    });
  }
});
