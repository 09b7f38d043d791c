"""`make bench-ui`: interaction latency in a real browser, from the click to the app settled."""
