"""Pages: templates, static assets and views that compose the apps' services and selectors."""
