"""The synthetic ERPNext company: what it looks like (`model`), how it is drawn (`generator`), how it is
bulk-loaded into MariaDB (`loader`)."""
