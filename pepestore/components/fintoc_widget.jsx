// Opens Fintoc's payment widget for a checkout session. @fintoc/fintoc-js only loads Fintoc's script, and
// always from js.fintoc.com; we load the configured widget URL first (the real one, or the store's sandbox),
// so getFintoc() then resolves at once to the same window.Fintoc API either way.
import { useEffect, useRef } from "react";
import { getFintoc } from "@fintoc/fintoc-js";

const LOAD_TIMEOUT_MS = 6000;
const pending = {};

function loadScript(url) {
  if (window.Fintoc) return Promise.resolve();
  if (!pending[url]) {
    pending[url] = new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = url;
      tag.async = true;
      tag.onload = () => resolve();
      tag.onerror = () => {
        delete pending[url];
        tag.remove();
        reject(new Error("The payment widget could not be loaded."));
      };
      document.head.appendChild(tag);
    });
  }
  return pending[url];
}

function withTimeout(promise, ms) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error("The payment widget took too long to load.")), ms)),
  ]);
}

export function FintocWidget({ widgetUrl, publicKey, sessionToken, openCount, onSuccess, onExit, onLoadError }) {
  const callbacks = useRef({});
  callbacks.current = { onSuccess, onExit, onLoadError };

  useEffect(() => {
    if (!sessionToken || !openCount || typeof window === "undefined") return undefined;
    let widget = null;
    let cancelled = false;
    withTimeout(loadScript(widgetUrl).then(() => getFintoc()), LOAD_TIMEOUT_MS)
      .then((Fintoc) => {
        if (cancelled) return;
        if (!Fintoc) throw new Error("The payment widget is not available.");
        widget = Fintoc.create({
          product: "payments",
          publicKey,
          sessionToken,
          onSuccess: (data) => callbacks.current.onSuccess?.(data && typeof data === "object" ? data : {}),
          onExit: () => callbacks.current.onExit?.(),
          onEvent: () => {},
        });
        widget.open();
      })
      .catch((error) => {
        if (!cancelled) callbacks.current.onLoadError?.(String(error && error.message ? error.message : error));
      });
    return () => {
      cancelled = true;
      if (widget) widget.destroy();
    };
  }, [widgetUrl, publicKey, sessionToken, openCount]);

  return null;
}
