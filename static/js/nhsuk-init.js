// NHS.UK frontend components (header menu, error summary…); a file, not an inline script, so the
// Content-Security-Policy can refuse every inline script (core/security.py).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
