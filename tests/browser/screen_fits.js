// Used by test_maps_in_browser.py: does the big screen fit, with every label inside its box?
(() => {
  const se = document.scrollingElement, bad = [];
  let texts = 0, labels = 0;
  const inside = (r, c) => r.left >= c.left - 0.5 && r.right <= c.right + 0.5 && r.top >= c.top - 0.5 && r.bottom <= c.bottom + 0.5;
  for (const el of document.querySelectorAll('h1, h2, .period, .counters span, .counters strong, .counters small, td, th, .alerts li, .refreshed')) {
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    texts++;
    const box = el.closest('.counters > div, .panel, header, body').getBoundingClientRect();
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') bad.push('overflows: ' + el.textContent.trim());
    if (!inside(r, box)) bad.push('outside its box: ' + el.textContent.trim());
    if (!inside(r, {left: 0, top: 0, right: innerWidth, bottom: innerHeight})) bad.push('off screen: ' + el.textContent.trim());
  }
  // The charts' own labels (ECharts draws on a canvas): every text inside its chart.
  for (const box of document.querySelectorAll('[data-chart]')) {
    const c = box.gzChart; if (!c) { bad.push('no chart: ' + box.dataset.chart); continue; }
    const w = c.getWidth(), h = c.getHeight();
    for (const el of c.getZr().storage.getDisplayList(true)) {
      if (el.type !== 'tspan' && el.type !== 'text') continue;
      if (!el.style || !el.style.text) continue;
      labels++;
      const r = el.getBoundingRect().clone();
      if (el.transform) r.applyTransform(el.transform);
      if (r.x < -0.5 || r.y < -0.5 || r.x + r.width > w + 0.5 || r.y + r.height > h + 0.5)
        bad.push(box.dataset.chart + ' label clipped: ' + el.style.text);
    }
  }
  return {scrollH: se.scrollHeight, innerH: innerHeight, scrollW: se.scrollWidth, innerW: innerWidth, bad: bad,
          texts: texts, labels: labels};
})
