"""Analytics helpers (pure: no queries, no policy): local periods, metric definitions, the heatmap, CSV cells."""
