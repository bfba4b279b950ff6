"""Archive actions: adding profiles, runs (listing, downloading, finishing), files, exports."""
