// Safeguarding Hub front end: an ES module, loaded with <script type="module">
// (carrying the CSP nonce) at the end of base.html.
//
// GOV.UK Frontend 6 is itself an ES module. initAll() starts every component
// marked with data-module="govuk-…" (service navigation menu, error summary,
// notification banners, radios, checkboxes, password input, …). Pages work
// without JavaScript; this only enhances them.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
