// Starts GOV.UK Frontend's and MOJ Frontend's components (skip link focus, error summary
// focus, service navigation menu, radios…). Every page works without it; it only enhances.
import { initAll as initGovuk } from "./frontend/govuk-frontend.min.js";
import { initAll as initMoj } from "./frontend/moj-frontend.min.js";

initGovuk();
initMoj();
