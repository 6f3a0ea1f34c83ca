"""One module per clause family; each turns one year's records into lines and skips."""
