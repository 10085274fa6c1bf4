// Runs before the page is painted: marks that JavaScript is on, so that conditional
// fields that do not apply are hidden from the start instead of flashing up.
document.documentElement.classList.add("fw-js");
