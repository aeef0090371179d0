// Runs in <head> before first paint, so a dark-theme reader never sees a white
// flash. A file rather than an inline script: the workshop pages are served with
// a Content-Security-Policy that allows only the site's own script files.
(function () {
  var t = null;
  try { t = localStorage.getItem('closing-time:theme'); } catch (e) {}
  if (t !== 'light' && t !== 'dark') t = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  document.documentElement.dataset.theme = t;
})();
