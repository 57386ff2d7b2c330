// The 适老化 checks (MIIT 2021) on the page as rendered: every visible text at least 18 px with a
// line height of at least 1.3, every link/button/input/select at least 44 px tall, and text against
// its composited background at a contrast of at least 4.5:1 (WCAG's formula).  The map's own
// drawing (#webmap: grid labels at zoom-dependent sizes) is left out of the text checks; its zoom
// buttons are targets like any other.  Returns the failures, one line each.
() => {
  const bad = [];
  const shown = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && s.display !== "none"
      && r.right > 0 && r.bottom > 0 && !el.closest(".sr, .skip, [hidden], noscript");
  };
  const rgba = c => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) out = [r * a + out[0] * (1 - a), g * a + out[1] * (1 - a), b * a + out[2] * (1 - a)];
    return out;
  };
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "")
    + " «" + (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 20) + "»";
  let texts = 0, targets = 0;
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el) || el.closest("svg")) continue;
    const s = getComputedStyle(el);
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && !el.closest("#webmap")) {
      texts++;
      const size = parseFloat(s.fontSize);
      if (size < 18) bad.push(`font ${size}px ${name(el)}`);
      const lh = s.lineHeight === "normal" ? NaN : parseFloat(s.lineHeight) / size;
      if (!(lh >= 1.3)) bad.push(`line-height ${s.lineHeight} ${name(el)}`);
      const fg = rgba(s.color);
      const ratio = contrast(fg.slice(0, 3), background(el));
      if (ratio < 4.5) bad.push(`contrast ${ratio.toFixed(2)} ${name(el)}`);
    }
    if (el.matches("a, button, input:not([type=hidden]), select, textarea, summary")) {
      targets++;
      const h = el.getBoundingClientRect().height;
      if (h < 44) bad.push(`target ${h.toFixed(1)}px ${name(el)}`);
    }
  }
  if (texts < 5 || targets < 5) bad.push(`only ${texts} texts and ${targets} targets measured`);
  return bad;
}
