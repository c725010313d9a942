"""One module per item or family of items; each registers its views with @portal_item("CODE")."""
