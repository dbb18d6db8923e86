// A deliberately plain client-rendered store: fetch JSON, render with React. No JSX, so Vite needs no plugin.
import { createElement as h, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";

function useJson(url) {
  const [data, setData] = useState(null);
  useEffect(() => {
    fetch(url).then((r) => r.json()).then(setData);
  }, [url]);
  return data;
}

function Card({ p }) {
  return h("div", { className: "product-card", "data-slug": p.slug },
    h("a", { href: p.href }, h("img", { src: p.image, alt: p.name, loading: "lazy" })),
    h("div", null, p.category),
    h("a", { className: "product-name", href: p.href }, p.name),
    h("div", { className: "price" }, p.price, " ", p.stock_label),
    h("button", { disabled: p.stock === 0 }, p.stock === 0 ? "Sold out" : "Add to cart"));
}

function Catalog() {
  const data = useJson("/api/products" + window.location.search);
  return h("main", null,
    h("h1", null, "Good things for everyday life"),
    data === null ? h("p", null, "Loading…") : h("div", null,
      h("p", null, data.total, " products"),
      h("div", { className: "grid" }, data.products.map((p) => h(Card, { key: p.id, p }))),
      h("nav", { className: "pages" }, Array.from({ length: data.pages }, (_, i) =>
        h("a", { key: i, href: "/?page=" + (i + 1) }, i + 1)))));
}

function Product({ slug }) {
  const p = useJson("/api/product/" + encodeURIComponent(slug));
  if (p === null) return h("main", null, "Loading…");
  return h("main", null, h("a", { href: "/" }, "All products"),
    h("img", { src: p.image, alt: p.name, style: { width: 400 } }),
    h("h1", { id: "product-name" }, p.name), h("p", { className: "price" }, p.price), h("p", null, p.description));
}

function Cart() {
  // A new visitor has no cart: the server answers with empty lines, as Pepestore's cart does for a fresh tab.
  const cart = useJson("/api/cart");
  if (cart === null) return h("main", null, "Loading…");
  return h("main", null, h("h1", null, "Your cart"),
    cart.lines.length === 0 ? h("div", { id: "empty-cart" }, "Your cart is empty") : null);
}

function App() {
  const path = window.location.pathname;
  if (path.startsWith("/product/")) return h(Product, { slug: decodeURIComponent(path.slice(9)) });
  if (path === "/cart") return h(Cart);
  return h(Catalog);
}

createRoot(document.getElementById("root")).render(h(App));
