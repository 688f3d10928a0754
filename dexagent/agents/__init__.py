"""agents — see DESIGN.md."""
