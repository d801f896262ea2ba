//! The dashboard page (Leptos, CSR) — PAGE HELPER: implement.

pub fn mount() {}
