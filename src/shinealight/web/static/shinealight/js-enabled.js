// Runs at the top of <body>, before anything is drawn: marks the page so that GOV.UK
// Frontend's JavaScript-only styles apply. A file rather than inline script, because the
// Content-Security-Policy allows scripts from this origin only.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
