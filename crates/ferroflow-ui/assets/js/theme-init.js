// Runs before first paint (classic script, not a module) so a dark-theme user never sees a
// white flash. The toggle in app.js writes the same localStorage key.
(function () {
  var t = null;
  try { t = localStorage.getItem('ferroflow.theme'); } catch (e) { /* storage disabled */ }
  if (t !== 'light' && t !== 'dark') {
    t = window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  document.documentElement.setAttribute('data-theme', t);
})();
