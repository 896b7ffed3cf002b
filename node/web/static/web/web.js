// Progressive enhancement only: every page works without it.
// After a refused form, move the keyboard focus to the first field in error.
document.addEventListener("DOMContentLoaded", function () {
  var bad = document.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (bad) { bad.focus(); }
  // Sentence fields matter only with a conviction: hint it without hiding anything.
  var outcome = document.getElementById("id_outcome");
  if (outcome) {
    var sync = function () {
      ["prison_months", "suspended_months", "fine_fcfa", "damages_fcfa"].forEach(function (n) {
        var input = document.getElementById("id_" + n);
        if (input) { input.closest(".field").style.opacity = outcome.value === "convicted" ? 1 : 0.6; }
      });
    };
    outcome.addEventListener("change", sync);
    sync();
  }
});
