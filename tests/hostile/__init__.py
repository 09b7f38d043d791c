"""Bad and hostile spreadsheets, generated on the fly, and what the product must do with each."""
