// The note editor's enhancements. Every action also works without this file: Save and
// Mark sent are plain form posts; the coach updates on save. With it: autosave state,
// retry when offline, a copy kept in this browser until the server has it, conflict
// handling, insert buttons, copy to clipboard, live mailto links and the print button.
(function () {
  "use strict";

  var RETRY_MS = 5000;
  var BACKUP_PREFIX = "followup:note:";
  var BACKUP_DAYS = 30;
  var SIGN_OFF = /\n\s*\n(?:best regards|kind regards|regards|with thanks|sincerely|thank you|thanks|best|warm regards|yours sincerely)[^\n]*\n/i;

  document.documentElement.classList.add("notes-js");

  function noteForm(element) {
    return element && element.closest ? element.closest("form.note-form") : null;
  }

  function field(form, name) {
    return form.querySelector("[name='" + name + "']");
  }

  function setStatus(form, text, kind) {
    var status = document.getElementById("n" + form.dataset.note + "-status");
    if (!status) return;
    status.textContent = "";
    var span = document.createElement("span");
    span.className = kind || "text-body-secondary";
    span.textContent = text;
    status.appendChild(span);
  }

  // --- A copy in this browser until the server has it ------------------------------------

  function backupKey(form) {
    return BACKUP_PREFIX + form.dataset.note;
  }

  function backup(form) {
    try {
      localStorage.setItem(backupKey(form), JSON.stringify({
        version: field(form, "version").value,
        subject: field(form, "subject") ? field(form, "subject").value : "",
        body: field(form, "body").value,
        at: Date.now()
      }));
    } catch (error) { /* storage full or disabled: the textarea still holds the text */ }
  }

  function dropBackup(noteId) {
    try { localStorage.removeItem(BACKUP_PREFIX + noteId); } catch (error) { /* ignore */ }
  }

  function offerRestore(form) {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(backupKey(form)) || "null"); } catch (error) { saved = null; }
    if (!saved) return;
    var body = field(form, "body");
    var subject = field(form, "subject");
    if (saved.body === body.value && (!subject || saved.subject === subject.value)) {
      dropBackup(form.dataset.note);
      return;
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-info d-flex flex-wrap gap-2 align-items-center restore-offer";
    alert.setAttribute("role", "alert");
    var text = document.createElement("span");
    text.textContent = "This browser kept text you typed here on " +
      new Date(saved.at).toLocaleString() + " that was never saved.";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn-sm btn-primary";
    restore.textContent = "Restore it";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = "Discard it";
    alert.append(text, restore, discard);
    form.prepend(alert);
    restore.addEventListener("click", function () {
      body.value = saved.body;
      if (subject) subject.value = saved.subject;
      alert.remove();
      body.dispatchEvent(new Event("input", { bubbles: true }));
    });
    discard.addEventListener("click", function () {
      dropBackup(form.dataset.note);
      alert.remove();
    });
  }

  function purgeOldBackups() {
    try {
      var cutoff = Date.now() - BACKUP_DAYS * 86400000;
      for (var index = localStorage.length - 1; index >= 0; index--) {
        var key = localStorage.key(index);
        if (key && key.indexOf(BACKUP_PREFIX) === 0) {
          var item = JSON.parse(localStorage.getItem(key) || "{}");
          if (!item.at || item.at < cutoff) localStorage.removeItem(key);
        }
      }
    } catch (error) { /* ignore */ }
  }

  // --- mailto links, with the rules of notes/mailto.py -----------------------------------

  function encode(value) {
    return encodeURIComponent(value.replace(/\r\n/g, "\n").replace(/\n/g, "\r\n"));
  }

  function updateMailto(form) {
    var link = document.getElementById("n" + form.dataset.note + "-mailto");
    var tooLongNote = document.getElementById("n" + form.dataset.note + "-mailto-long");
    if (!link || !field(form, "subject")) return;
    var subject = field(form, "subject").value.trim().split(/\s+/).join(" ");
    var body = field(form, "body").value;
    var parts = [];
    if (subject) parts.push("subject=" + encode(subject));
    if (body) parts.push("body=" + encode(body));
    var to = encodeURIComponent((form.dataset.recipient || "").trim())
      .replace(/%40/g, "@").replace(/%2B/g, "+");
    var url = "mailto:" + to + (parts.length ? "?" + parts.join("&") : "");
    var tooLong = url.length > parseInt(form.dataset.mailtoMax, 10);
    if (tooLong) link.removeAttribute("href"); else link.setAttribute("href", url);
    link.hidden = tooLong;
    if (tooLongNote) tooLongNote.hidden = !tooLong;
  }

  // --- Insert and copy --------------------------------------------------------------------

  function insertText(area, text) {
    var value = area.value;
    var start, end;
    if (area.dataset.caretKnown) {
      start = area.selectionStart;
      end = area.selectionEnd;
    } else {
      // Never clicked into: put it before the sign-off rather than above the greeting.
      var signOff = value.search(SIGN_OFF);
      start = end = signOff >= 0 ? signOff : value.length;
      if (signOff >= 0) text = "\n\n" + text;
    }
    var before = value.slice(0, start);
    var after = value.slice(end);
    var lead = before && !/\s$/.test(before) && !/^\s/.test(text) ? " " : "";
    var trail = after && !/^\s/.test(after) ? " " : "";
    area.value = before + lead + text + trail + after;
    var caret = (before + lead + text).length;
    area.focus();
    area.setSelectionRange(caret, caret);
    area.dataset.caretKnown = "1";
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function flash(button, text) {
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = text;
    setTimeout(function () { button.textContent = original; }, 2000);
  }

  function copyFrom(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var text = source.matches("input, textarea") ? source.value : source.textContent;
    if (!navigator.clipboard) {
      flash(button, "Select the text and copy it");
      return;
    }
    navigator.clipboard.writeText(text).then(
      function () { flash(button, "Copied"); },
      function () { flash(button, "Select the text and copy it"); }
    );
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var insert = target.closest("[data-insert]");
    if (insert) {
      var area = document.getElementById(insert.dataset.target);
      if (area && !area.readOnly) insertText(area, insert.dataset.insert);
      return;
    }
    var copy = target.closest("[data-copy]");
    if (copy) { copyFrom(copy); return; }
    var keep = target.closest("[data-keep-mine]");
    if (keep) {
      var form = document.getElementById(keep.dataset.form);
      field(form, "version").value = keep.dataset.keepMine;
      setStatus(form, "Saving your version…");
      window.htmx.trigger(form, "notes:save");
      return;
    }
    if (target.closest("[data-print]")) window.print();
  });

  // --- Typing, channel, autosave state ----------------------------------------------------

  document.addEventListener("input", function (event) {
    var form = noteForm(event.target);
    if (!form) return;
    form.dataset.edits = String(parseInt(form.dataset.edits || "0", 10) + 1);
    backup(form);
    updateMailto(form);
  });

  ["click", "keyup", "focus"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (event.target.matches && event.target.matches("textarea.note-body")) {
        event.target.dataset.caretKnown = "1";
      }
    }, true);
  });

  document.addEventListener("change", function (event) {
    var form = noteForm(event.target);
    if (form && event.target.name === "channel") form.dataset.channel = event.target.value;
  });

  document.addEventListener("submit", function (event) {
    if (noteForm(event.target)) event.target.dataset.submitting = "1";
  });

  // The autosave may answer 409 (changed elsewhere) or 422 (not valid): show those too.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if ((status === 409 || status === 422) && source && source.matches("form.note-form")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.note-form")) return;
    form.dataset.sending = form.dataset.edits || "0";
    setStatus(form, "Saving…");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.note-form")) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 200) {
      form.dataset.saved = form.dataset.sending;
      if (form.dataset.saved === (form.dataset.edits || "0")) dropBackup(form.dataset.note);
    } else if (status === 0 || status >= 500) {
      setStatus(form, "Not saved: the connection failed. Your text is kept here; retrying…",
        "text-danger");
      if (form.dataset.retrying) return;  // one retry pending per note is enough
      form.dataset.retrying = "1";
      setTimeout(function () {
        delete form.dataset.retrying;
        window.htmx.trigger(form, "notes:save");
      }, RETRY_MS);
    }
  });

  window.addEventListener("beforeunload", function (event) {
    var unsaved = Array.prototype.some.call(
      document.querySelectorAll("form.note-form"),
      function (form) {
        return !form.dataset.submitting && form.dataset.edits &&
          form.dataset.saved !== form.dataset.edits;
      }
    );
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Tabs: keep the open note in the address, so a reload shows it again.
  document.addEventListener("shown.bs.tab", function (event) {
    var href = event.target.getAttribute("href");
    if (href) history.replaceState(null, "", href);
  });

  document.addEventListener("DOMContentLoaded", function () {
    purgeOldBackups();
    document.querySelectorAll("[data-sent-note]").forEach(function (element) {
      dropBackup(element.dataset.sentNote);
    });
    document.querySelectorAll("form.note-form").forEach(function (form) {
      offerRestore(form);
      updateMailto(form);
    });
  });
})();
