// The reviewer's desk on a source page: select the words of a figure the extractor missed, and
// the add-claim form fills in with them, where they start, and what the extractor reads in them.
// Nothing here writes: the form posts to the review route like any other (CSRF token included).
(function () {
  "use strict";
  const text = document.querySelector(".ledger-source-text");
  const form = document.querySelector(".ledger-add-claim-form");
  if (!text || !form) return;
  const reading = form.querySelector(".ledger-reading");
  const field = (name) => form.elements.namedItem(name);
  const readingFields = Array.from(form.querySelectorAll("input[type=text]")).filter(
    (input) => !["quote", "start"].includes(input.name)
  );

  // Offsets in the ledger count code points (Python); JavaScript strings count UTF-16 units.
  const codePoints = (s) => Array.from(s).length;

  // The selected words inside the source text, spaces around them dropped, and their offset;
  // null when nothing there is selected. The text element holds the source's text exactly
  // (claims are marks around parts of it), so the text before the selection gives the offset.
  function selection() {
    const selected = window.getSelection();
    if (!selected || selected.rangeCount === 0 || selected.isCollapsed) return null;
    const range = selected.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return null;
    const before = document.createRange();
    before.setStart(text, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const words = range.toString();
    const quote = words.trim();
    if (!quote) return null;
    const lead = words.length - words.trimStart().length;
    return { quote: quote, start: codePoints(before.toString() + words.slice(0, lead)) };
  }

  function show(message) {
    reading.textContent = message;
  }

  async function read(chosen) {
    const query = new URLSearchParams({
      source_id: field("source_id").value,
      quote: chosen.quote,
      start: String(chosen.start),
    });
    show("Reading the words…");
    try {
      const response = await fetch(form.dataset.readingUrl + "?" + query, {
        credentials: "same-origin",
        headers: { accept: "application/json" },
      });
      const found = await response.json();
      if (found.error) return show("These words cannot be added: " + found.error);
      if (!found.words) {
        return show("The extractor finds no figure in these words: type the value (and unit).");
      }
      show("The extractor reads: " + found.words + ". Empty boxes keep its reading (in grey); " +
           "fill in only what it gets wrong.");
      for (const input of readingFields) {
        const value = found.reading[input.name];
        input.placeholder = value === null || value === undefined ? "" : String(value);
      }
    } catch (error) {
      show("The extractor's reading could not be fetched; saving still reads the words.");
    }
  }

  function choose() {
    const chosen = selection();
    if (!chosen) return;
    form.hidden = false;
    field("quote").value = chosen.quote;
    field("start").value = String(chosen.start);
    for (const input of readingFields) {
      input.value = "";
      input.placeholder = "";
    }
    read(chosen);
  }

  text.addEventListener("mouseup", choose);
  document.addEventListener("keyup", (event) => { if (event.shiftKey) choose(); });
  form.querySelector(".ledger-add-cancel").addEventListener("click", () => {
    form.hidden = true;
    window.getSelection().removeAllRanges();
  });
})();
