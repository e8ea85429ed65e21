"""Demo data, default rules for a fresh database, the load-test loader; the app never imports it."""
