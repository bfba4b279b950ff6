import scheduler.admin_posts  # noqa: E402, F401  (post review desk)
