# Archived profiles, snapshots, posts and media arrive with the archive issue (DESIGN.md §6).
