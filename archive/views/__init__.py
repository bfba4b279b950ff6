"""Archive views: pages (profiles, gallery, profile page), actions (add, refresh, settings), files and exports."""
