"""Reports people forward: the pilot's and the organisation's reports."""
