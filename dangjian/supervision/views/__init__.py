"""Pages of 督查考核 (views only parse input and check access; services decide and write)."""
