"""Limits on what a portfolio file may hold, stated to the user before they upload.

Checked before a file is parsed in full, so an oversized or hostile file is refused with a
message instead of exhausting the server's memory. `MAX_UPLOAD_MB` matches
`server.maxUploadSize` in `.streamlit/config.toml` (a test keeps them equal).
"""

from __future__ import annotations

MAX_UPLOAD_MB = 25
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
# Rows × columns of the rectangle a sheet spans (the reader holds all of it in memory).
MAX_CELLS = 20_000_000

# Rows above the table (titles, banners, blank rows) that header detection looks through.
HEADER_SCAN_ROWS = 30
# A workbook is a zip archive: the whole archive may not unpack to more than this ...
MAX_UNPACKED_MB = 600
MAX_UNPACKED_BYTES = MAX_UNPACKED_MB * 1024 * 1024
# ... and no part of it may shrink more than this when packed (real sheets stay far below;
# zip bombs are in the thousands).
MAX_COMPRESSION_RATIO = 250
# Archives with more parts than this are not spreadsheets a person keeps by hand.
MAX_ARCHIVE_MEMBERS = 5_000
# Longest cell text kept (Excel's own limit); longer texts are cut with a warning.
MAX_CELL_CHARS = 32_767
