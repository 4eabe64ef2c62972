"""What a notebook leaves behind: `results` writes metrics, tables and figures, `saving`
writes and reads model files, each atomically."""
