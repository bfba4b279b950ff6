"""Domain actions of the accounts app, one module per topic: users, workspaces, notifications, instagram."""
