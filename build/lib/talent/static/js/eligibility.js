// The eligibility checker: live GB 11643 check of the ID number, and the purchase questions shown only when
// they apply. The server checks everything again; the page works without this script.
"use strict";

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = "10X98765432";

// Returns {state: "partial"|"invalid"|"valid", reason, birthDate, sex, expected}.
function checkIdNumber(raw) {
  const number = raw.trim().toUpperCase();
  if (number === "") return { state: "empty" };
  if (!/^\d{0,17}$/.test(number.slice(0, 17)) || (number.length === 18 && !/^[0-9X]$/.test(number[17]))) {
    return { state: "invalid", reason: "chars" };
  }
  if (number.length < 18) return { state: "partial", remaining: 18 - number.length };
  const year = Number(number.slice(6, 10));
  const month = Number(number.slice(10, 12));
  const day = Number(number.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  const birthText = `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}`;
  if (year < 1900 || birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 ||
      birth.getUTCDate() !== day) {
    return { state: "invalid", reason: "date", birthDate: birthText };
  }
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(number[i]) * ID_WEIGHTS[i];
  const expected = ID_CHECK_CHARS[sum % 11];
  if (number[17] !== expected) return { state: "invalid", reason: "check", expected };
  const sex = Number(number.slice(14, 17)) % 2 === 1 ? "male" : "female";
  return { state: "valid", birthDate: birthText, sex };
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

function setUpIdCheck(input) {
  const output = document.getElementById(input.dataset.idCheck);
  if (!output) return;
  const messages = output.dataset;
  const show = () => {
    const result = checkIdNumber(input.value);
    output.classList.remove("id-live-ok", "id-live-error");
    input.removeAttribute("aria-invalid");
    if (result.state === "empty") {
      output.textContent = "";
    } else if (result.state === "partial") {
      output.textContent = fill(messages.msgLength, { n: result.remaining });
    } else if (result.state === "valid") {
      const sex = result.sex === "male" ? messages.msgMale : messages.msgFemale;
      output.textContent = fill(messages.msgOk, { d: result.birthDate, s: sex });
      output.classList.add("id-live-ok");
    } else {
      const text = { chars: messages.msgChars, date: messages.msgDate, check: messages.msgCheck }[result.reason];
      output.textContent = fill(text, { d: result.birthDate, c: result.expected });
      output.classList.add("id-live-error");
      input.setAttribute("aria-invalid", "true");
    }
  };
  input.addEventListener("input", show);
  show();
}

function setUpPurchaseToggle(checkbox) {
  const target = document.getElementById(checkbox.getAttribute("aria-controls"));
  if (!target) return;
  const sync = () => {
    target.hidden = !checkbox.checked;
    checkbox.setAttribute("aria-expanded", String(checkbox.checked));
  };
  checkbox.addEventListener("change", sync);
  sync();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-id-check]").forEach(setUpIdCheck);
  const purchase = document.getElementById("has_purchase");
  if (purchase) setUpPurchaseToggle(purchase);
});
