// Jobs pages: a live check of the unified social credit code (GB 32100) while it is typed, and a
// confirmation before a post is closed. The server checks everything again; the pages work without this.
(() => {
  "use strict";

  const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
  const ORG_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  function organisationCheck(body) {
    let total = 0;
    for (let i = 0; i < 8; i += 1) total += ORG_VALUES.indexOf(body[i]) * ORG_WEIGHTS[i];
    const value = 11 - (total % 11);
    return value === 10 ? "X" : value === 11 ? "0" : String(value);
  }

  function creditCheck(first17) {
    let total = 0;
    for (let i = 0; i < 17; i += 1) total += ALPHABET.indexOf(first17[i]) * CREDIT_WEIGHTS[i];
    return ALPHABET[(31 - (total % 31)) % 31];
  }

  function fill(template, values) {
    return template.replace(/\{(\w)\}/g, (_, key) => (key in values ? values[key] : ""));
  }

  // Returns [state, message] where state is "", "ok" or "error".
  function describe(code, messages) {
    if (!code) return ["", ""];
    const bad = [...code].find((c) => !ALPHABET.includes(c));
    if (bad) return ["error", fill(messages.msgChars, { c: bad })];
    if (code.length < 18) return ["", fill(messages.msgLength, { n: 18 - code.length })];
    if (code.length > 18) return ["error", messages.msgLong];
    const org = organisationCheck(code.slice(8, 16));
    if (code[16] !== org) return ["error", fill(messages.msgOrg, { c: org })];
    const check = creditCheck(code.slice(0, 17));
    if (code[17] !== check) return ["error", fill(messages.msgCheck, { c: check })];
    return ["ok", messages.msgOk];
  }

  function wireCreditCheck(input) {
    const output = document.getElementById(input.dataset.creditCheck);
    if (!output) return;
    const update = () => {
      const [state, message] = describe(input.value.trim().toUpperCase(), output.dataset);
      output.textContent = message;
      output.classList.toggle("live-check-ok", state === "ok");
      output.classList.toggle("live-check-error", state === "error");
    };
    input.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-credit-check]").forEach(wireCreditCheck);
    document.querySelectorAll("form[data-confirm]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  });
})();
