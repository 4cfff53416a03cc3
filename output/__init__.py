"""Output stage: files, HTML, query results and the command line."""
