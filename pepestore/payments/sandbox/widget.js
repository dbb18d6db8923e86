/* Fintoc sandbox widget: the same API as https://js.fintoc.com/v1/ (window.Fintoc.create → open/close/destroy),
 * served by the store's built-in sandbox. A modal lets the shopper pick a test bank and approve or reject. */
(function () {
  if (typeof window === "undefined" || window.Fintoc) return;
  var script = document.currentScript;
  var BASE = script ? script.src.replace(/\/widget\.js(\?.*)?$/, "") : "";
  // Texts from pepestore/i18n (the sandbox.* keys), filled in by the server; the page's <html lang> picks one.
  var TEXTS = __TEXTS__;
  function tr(key) {
    var lang = (document.documentElement.lang || "").indexOf("en") === 0 ? "en" : "es-CL";
    return TEXTS[lang][key];
  }

  function clp(amount, currency) {
    var digits = String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (currency === "CLP" ? "$" : currency + " ") + digits;
  }

  function initials(bank) {
    if (/^[A-Z]{2,4}$/.test(bank)) return bank;
    return bank.split(" ").filter(function (w) { return w.length > 2 || w === w.toUpperCase(); })
      .map(function (w) { return w[0]; }).join("").slice(0, 3);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "style") node.style.cssText = attrs[key];
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var CSS = [
    ".fsw-backdrop{position:fixed;inset:0;background:rgba(15,23,42,.55);display:flex;align-items:center;",
    "justify-content:center;z-index:2147483000;font-family:system-ui,-apple-system,'Segoe UI',sans-serif}",
    ".fsw-modal{background:#fff;border-radius:16px;width:min(420px,calc(100vw - 24px));max-height:calc(100vh - 24px);",
    "overflow:auto;box-shadow:0 24px 64px rgba(0,0,0,.3);color:#0f172a}",
    ".fsw-head{display:flex;align-items:center;gap:10px;padding:16px 18px;border-bottom:1px solid #e2e8f0}",
    ".fsw-logo{width:28px;height:28px;border-radius:8px;background:#1d4ed8;color:#fff;display:flex;",
    "align-items:center;justify-content:center;font-weight:700}",
    ".fsw-title{font-weight:700;flex:1}.fsw-x{border:0;background:none;font-size:22px;cursor:pointer;color:#64748b}",
    ".fsw-ribbon{background:#fef3c7;color:#92400e;font-size:12px;padding:6px 18px;font-weight:600}",
    ".fsw-body{padding:18px}.fsw-amount{font-size:30px;font-weight:800;margin:2px 0 14px}",
    ".fsw-muted{color:#64748b;font-size:13px}.fsw-banks{display:grid;gap:8px;margin:10px 0 16px}",
    ".fsw-bank{display:flex;align-items:center;gap:10px;border:1px solid #cbd5e1;border-radius:10px;padding:10px 12px;",
    "cursor:pointer;background:#fff;font-size:15px;text-align:left}",
    ".fsw-bank[aria-pressed=true]{border-color:#1d4ed8;box-shadow:0 0 0 2px #bfdbfe;background:#eff6ff}",
    ".fsw-row{display:flex;gap:8px}.fsw-btn{flex:1;border:0;border-radius:10px;padding:12px;font-size:15px;",
    "font-weight:700;cursor:pointer}.fsw-approve{background:#1d4ed8;color:#fff}.fsw-reject{background:#f1f5f9;",
    "color:#b91c1c}.fsw-btn:disabled{opacity:.5;cursor:not-allowed}",
    ".fsw-state{text-align:center;padding:18px 6px}.fsw-icon{width:56px;height:56px;border-radius:50%;margin:0 auto;",
    "display:flex;align-items:center;justify-content:center;font-size:30px;font-weight:800;color:#fff}",
    ".fsw-ok{background:#16a34a}.fsw-bad{background:#dc2626}.fsw-warn{background:#d97706}",
    ".fsw-initials{width:30px;height:30px;border-radius:50%;background:#e0e7ff;color:#3730a3;font-size:11px;",
    "font-weight:800;display:flex;align-items:center;justify-content:center;flex-shrink:0}",
    ".fsw-spin{width:36px;height:36px;border:4px solid #bfdbfe;border-top-color:#1d4ed8;border-radius:50%;",
    "margin:8px auto;animation:fsw-spin 1s linear infinite}@keyframes fsw-spin{to{transform:rotate(360deg)}}"
  ].join("");

  function request(method, path, body) {
    return fetch(BASE + path, {
      method: method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error((data.error && data.error.message) || tr("refused"));
        return data;
      });
    });
  }

  function create(options) {
    options = options || {};
    var publicKey = options.publicKey, token = options.sessionToken;
    var onSuccess = options.onSuccess || function () {}, onExit = options.onExit || function () {};
    var onEvent = options.onEvent || function () {};
    var root = null, finished = false, destroyed = false;

    function emit(name, extra) {
      try { onEvent(name, Object.assign({ timestamp: Date.now() }, extra || {})); } catch (e) { console.error(e); }
    }

    function frame(content) {
      var modal = root.querySelector(".fsw-modal");
      var body = modal.querySelector(".fsw-body");
      body.innerHTML = "";
      content.forEach(function (node) { body.appendChild(node); });
    }

    function showError(message) {
      frame([el("div", { class: "fsw-state", role: "alert" }, [
        el("div", { class: "fsw-icon fsw-warn" }, ["!"]),
        el("h3", {}, [tr("error_title")]),
        el("p", { class: "fsw-muted" }, [message]),
        el("button", { class: "fsw-btn fsw-reject", onclick: function () { widget.close(); } }, [tr("close")])
      ])]);
    }

    function showChooser(session) {
      var chosen = null;
      var approve = el("button", { class: "fsw-btn fsw-approve", disabled: "disabled", "data-action": "approve",
        onclick: function () { decide("approve", chosen); } }, [tr("approve")]);
      var reject = el("button", { class: "fsw-btn fsw-reject", disabled: "disabled", "data-action": "reject",
        onclick: function () { decide("reject", chosen); } }, [tr("reject")]);
      var banks = el("div", { class: "fsw-banks", role: "group", "aria-label": tr("banks_label") },
        session.banks.map(function (name) {
          return el("button", { class: "fsw-bank", type: "button", "aria-pressed": "false", onclick: function (e) {
            chosen = name;
            banks.querySelectorAll(".fsw-bank").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
            e.currentTarget.setAttribute("aria-pressed", "true");
            approve.removeAttribute("disabled"); reject.removeAttribute("disabled");
            emit("bank_selected", { institution: name });
          } }, [el("span", { class: "fsw-initials" }, [initials(name)]), name]);
        }));
      frame([
        el("div", { class: "fsw-muted" }, [tr("amount")]),
        el("div", { class: "fsw-amount" }, [clp(session.amount, session.currency)]),
        el("div", { class: "fsw-muted" }, [tr("choose_bank")]),
        banks,
        el("div", { class: "fsw-row" }, [reject, approve])
      ]);
    }

    function decide(action, bank) {
      frame([el("div", { class: "fsw-state" }, [el("div", { class: "fsw-spin" }),
        el("p", {}, [tr("waiting").replace("{bank}", bank)])])]);
      emit("payment_in_progress", { institution: bank });
      request("POST", "/widget/sessions/" + encodeURIComponent(token) + "/" + action,
        { public_key: publicKey, bank: bank })
        .then(function (session) {
          if (session.payment_status === "succeeded") {
            finished = true;
            emit("payment_succeeded");
            frame([el("div", { class: "fsw-state", role: "status" }, [
              el("div", { class: "fsw-icon fsw-ok" }, ["✓"]), el("h3", {}, [tr("approved")]),
              el("p", { class: "fsw-muted" }, [tr("operation").replace("{reference}", session.reference_id)])])]);
            setTimeout(function () {
              teardown();
              onSuccess({ status: "succeeded", reference_id: session.reference_id });
            }, 700);
          } else {
            emit("payment_failed");
            frame([el("div", { class: "fsw-state", role: "alert" }, [
              el("div", { class: "fsw-icon fsw-bad" }, ["✕"]), el("h3", {}, [tr("rejected")]),
              el("p", { class: "fsw-muted" }, [tr("no_money")]),
              el("button", { class: "fsw-btn fsw-reject", onclick: function () { widget.close(); } }, [tr("close")])])]);
          }
        })
        .catch(function (error) { showError(error.message); });
    }

    function teardown() {
      if (root && root.parentNode) root.parentNode.removeChild(root);
      root = null;
    }

    var widget = {
      open: function () {
        if (destroyed || root) return;
        if (!document.getElementById("fsw-style")) {
          document.head.appendChild(el("style", { id: "fsw-style" }, [CSS]));
        }
        root = el("div", { class: "fsw-backdrop", "data-fintoc-sandbox": "true" }, [
          el("div", { class: "fsw-modal", role: "dialog", "aria-modal": "true", "aria-label": tr("dialog") }, [
            el("div", { class: "fsw-head" }, [el("div", { class: "fsw-logo" }, ["F"]),
              el("div", { class: "fsw-title" }, [tr("title")]),
              el("button", { class: "fsw-x", "aria-label": tr("close"), onclick: function () { widget.close(); } }, ["×"])]),
            el("div", { class: "fsw-ribbon" }, [tr("ribbon")]),
            el("div", { class: "fsw-body" }, [el("div", { class: "fsw-state" }, [el("div", { class: "fsw-spin" })])])
          ])
        ]);
        document.body.appendChild(root);
        emit("opened");
        request("GET", "/widget/sessions/" + encodeURIComponent(token) + "?public_key=" + encodeURIComponent(publicKey))
          .then(function (session) {
            if (session.status === "expired") return showError(tr("expired"));
            if (session.status === "finished") return showError(tr("finished"));
            showChooser(session);
            return request("POST", "/widget/sessions/" + encodeURIComponent(token) + "/start", { public_key: publicKey });
          })
          .catch(function (error) { showError(error.message); });
      },
      close: function () {
        var wasOpen = !!root;
        teardown();
        if (wasOpen && !finished) { emit("closed"); onExit(); }
      },
      destroy: function () { teardown(); destroyed = true; }
    };
    widget.hide = widget.close;
    return widget;
  }

  window.Fintoc = { create: create, sandbox: true };
})();
