// NHS.UK frontend styles some components differently once its JavaScript can run. Loaded as a classic,
// blocking script straight after <body> so the classes are set before the first paint.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
