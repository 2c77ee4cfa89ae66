// Copies the GOV.UK Frontend assets that Safeguarding Hub ships into Django's
// static files, and checks the built output.
//
//   node frontend/build.mjs           copy JavaScript and images
//   node frontend/build.mjs --check   check the built CSS, JavaScript and images
//
// The CSS itself is compiled by `npm run build:css` (dart-sass). `npm run build`
// does everything. The outputs are committed, so running the app needs no Node.
//
// Rules (see shared/stack-notes.md):
// - no GDS Transport font: we use a system font stack, so the fonts folder is
//   never copied;
// - no crown, crest or GOV.UK logotype, favicon or app icon: those images are
//   reserved for GOV.UK services. GOV.UK Frontend's own favicons and icons all
//   show the crown, so none of them is copied; our favicon lives in
//   frontend/images/;
// - no `sourceMappingURL` comment in vendored JavaScript: whitenoise's
//   manifest storage fails on a missing source map.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const govukDist = path.join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const staticRoot = path.join(root, "safeguarding", "core", "static", "core");
const govukOut = path.join(staticRoot, "govuk");
const cssOut = path.join(staticRoot, "css", "application.css");
const ownImages = path.join(root, "frontend", "images");
const ownImagesOut = path.join(staticRoot, "images");
// GOV.UK's accessible autocomplete (a UMD bundle: window.accessibleAutocomplete), for the pages
// that choose one record among thousands (raise an escalation). Its CSS is compiled into
// css/forms.css by `npm run build:css`.
const autocompleteSrc = path.join(root, "node_modules", "accessible-autocomplete", "dist", "accessible-autocomplete.min.js");
const vendorOut = path.join(staticRoot, "vendor");
const formsCssOut = path.join(staticRoot, "css", "forms.css");

// Any file whose name matches is GOV.UK branding and is never shipped.
const RESERVED = /crown|crest|logotype|govuk-icon|govuk-opengraph|favicon/i;
const SOURCE_MAP_COMMENT = /\/\/# sourceMappingURL=\S*\s*$/gm;

function rel(p) {
  return path.relative(root, p);
}

function copyJavaScript() {
  const src = path.join(govukDist, "govuk-frontend.min.js");
  const dest = path.join(govukOut, "govuk-frontend.min.js");
  const code = fs.readFileSync(src, "utf8").replace(SOURCE_MAP_COMMENT, "").trimEnd() + "\n";
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, code);
  console.log(`wrote ${rel(dest)}`);
}

function copyAutocomplete() {
  const dest = path.join(vendorOut, "accessible-autocomplete.min.js");
  const code = fs.readFileSync(autocompleteSrc, "utf8").replace(SOURCE_MAP_COMMENT, "").trimEnd() + "\n";
  fs.mkdirSync(vendorOut, { recursive: true });
  fs.writeFileSync(dest, code);
  console.log(`wrote ${rel(dest)}`);
}

function copyImages() {
  const srcDir = path.join(govukDist, "assets", "images");
  const destAssets = path.join(govukOut, "assets");
  const destDir = path.join(destAssets, "images");
  // Start clean so that files dropped upstream (or by our rules) do not linger.
  fs.rmSync(destAssets, { recursive: true, force: true });
  const copied = new Set();
  if (fs.existsSync(srcDir)) {
    for (const name of fs.readdirSync(srcDir).sort()) {
      if (RESERVED.test(name)) {
        console.log(`skipped ${name} (reserved for GOV.UK services)`);
        continue;
      }
      fs.mkdirSync(destDir, { recursive: true });
      fs.copyFileSync(path.join(srcDir, name), path.join(destDir, name));
      copied.add(`images/${name}`);
      console.log(`copied ${rel(path.join(destDir, name))}`);
    }
  }
  // The web app manifest only lists icons; keep it only if an icon survives.
  const manifestSrc = path.join(govukDist, "assets", "manifest.json");
  if (fs.existsSync(manifestSrc)) {
    const manifest = JSON.parse(fs.readFileSync(manifestSrc, "utf8"));
    const icons = (manifest.icons || []).filter((icon) => copied.has(icon.src));
    if (icons.length) {
      fs.mkdirSync(destAssets, { recursive: true });
      fs.writeFileSync(
        path.join(destAssets, "manifest.json"),
        JSON.stringify({ ...manifest, icons }, null, 2) + "\n",
      );
      console.log(`wrote ${rel(path.join(destAssets, "manifest.json"))}`);
    } else {
      console.log("skipped manifest.json (it lists only GOV.UK icons)");
    }
  }
  // Our own images (favicon).
  fs.rmSync(ownImagesOut, { recursive: true, force: true });
  if (fs.existsSync(ownImages)) {
    fs.mkdirSync(ownImagesOut, { recursive: true });
    for (const name of fs.readdirSync(ownImages).sort()) {
      fs.copyFileSync(path.join(ownImages, name), path.join(ownImagesOut, name));
      console.log(`copied ${rel(path.join(ownImagesOut, name))}`);
    }
  }
}

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(p) : [p];
  });
}

function check() {
  const problems = [];
  if (!fs.existsSync(cssOut)) {
    problems.push(`${rel(cssOut)} is missing: run npm run build:css`);
  } else {
    const css = fs.readFileSync(cssOut, "utf8");
    if (/GDS Transport/i.test(css)) problems.push("CSS names the GDS Transport font");
    if (/@font-face/i.test(css)) problems.push("CSS declares a @font-face");
    if (/url\([^)]*(crown|crest|logotype|govuk-icon|opengraph)/i.test(css)) {
      problems.push("CSS references a GOV.UK crown, crest or logo image");
    }
    if (/sourceMappingURL/.test(css)) problems.push("CSS names a source map");
    for (const [, url] of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
      if (url.startsWith("data:")) continue;
      const prefix = "/static/core/";
      const file = url.startsWith(prefix) ? path.join(staticRoot, url.slice(prefix.length)) : null;
      if (!file || !fs.existsSync(file)) problems.push(`CSS references ${url}, which is not in our static files`);
    }
  }
  for (const js of [path.join(govukOut, "govuk-frontend.min.js"), path.join(vendorOut, "accessible-autocomplete.min.js")]) {
    if (!fs.existsSync(js)) problems.push(`${rel(js)} is missing`);
    else if (/sourceMappingURL/.test(fs.readFileSync(js, "utf8"))) problems.push(`${rel(js)} names a source map`);
  }
  if (!fs.existsSync(formsCssOut)) problems.push(`${rel(formsCssOut)} is missing: run npm run build:css`);
  else if (/sourceMappingURL|url\(/.test(fs.readFileSync(formsCssOut, "utf8"))) {
    problems.push(`${rel(formsCssOut)} names a source map or an image`);
  }
  for (const file of walk(govukOut)) {
    if (RESERVED.test(path.basename(file))) problems.push(`${rel(file)} is GOV.UK branding`);
    if (/[\\/]fonts[\\/]/.test(file)) problems.push(`${rel(file)} is a GOV.UK font`);
  }
  if (problems.length) {
    for (const problem of problems) console.error(`build check failed: ${problem}`);
    process.exit(1);
  }
  console.log("build check passed: system fonts, no GOV.UK crown or logo, no source maps");
}

if (process.argv.includes("--check")) {
  check();
} else {
  copyJavaScript();
  copyAutocomplete();
  copyImages();
}
