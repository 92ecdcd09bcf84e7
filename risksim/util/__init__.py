"""Small helpers every layer may use: safe file writing, did-you-mean messages, progress bars."""
