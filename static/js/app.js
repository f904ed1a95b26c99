// Small progressive enhancements; every page works without JavaScript.
document.documentElement.classList.add("js");

(() => {
  const PHONE = window.matchMedia("(max-width: 639.98px)");

  function setUpHeader() {
    const toggle = document.querySelector(".nav-toggle");
    const nav = document.getElementById("site-nav");
    if (!toggle || !nav) return;
    const list = nav.querySelector(".nav-list");
    const more = nav.querySelector(".nav-more");
    const moreButton = more && more.querySelector(".nav-more-button");
    const moreList = more && more.querySelector(".nav-more-list");

    function setMenu(open) {
      nav.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", String(open));
    }
    function setMore(open) {
      if (moreButton) moreButton.setAttribute("aria-expanded", String(open));
    }
    toggle.addEventListener("click", () => setMenu(!nav.classList.contains("open")));

    // Priority navigation: on wider screens the entries stay on one row; those that do not fit move, from the
    // end, into the "more" list. On phones every entry is in the full-width list.
    function layout() {
      if (!list || !more) return;
      nav.dataset.layoutWidth = String(window.innerWidth);
      setMore(false);
      if (moreButton) moreButton.classList.remove("has-current");
      while (moreList.firstElementChild) list.appendChild(moreList.firstElementChild);
      more.hidden = true;
      if (PHONE.matches) return;
      const overflows = () => list.scrollWidth > list.clientWidth + 1 || nav.scrollWidth > nav.clientWidth + 1;
      if (!overflows()) return;
      more.hidden = false;
      while (overflows() && list.children.length > 0) {
        moreList.insertBefore(list.lastElementChild, moreList.firstElementChild);
      }
      if (moreList.querySelector('[aria-current="page"]')) moreButton.classList.add("has-current");
    }
    if (moreButton) {
      moreButton.addEventListener("click", () => setMore(moreButton.getAttribute("aria-expanded") !== "true"));
      document.addEventListener("click", (event) => { if (!more.contains(event.target)) setMore(false); });
      more.addEventListener("keydown", (event) => {
        if (event.key === "Escape") { setMore(false); moreButton.focus(); }
      });
    }
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && nav.classList.contains("open") && PHONE.matches) { setMenu(false); toggle.focus(); }
    });
    let frame = 0;
    window.addEventListener("resize", () => { cancelAnimationFrame(frame); frame = requestAnimationFrame(layout); });
    PHONE.addEventListener("change", () => { setMenu(false); layout(); });
    layout();
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(layout);
  }

  document.addEventListener("DOMContentLoaded", () => {
    setUpHeader();
  });
})();
