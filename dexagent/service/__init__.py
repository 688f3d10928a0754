"""service — see DESIGN.md."""
