"""Stand-in for the embedding step the README's examples call: 'embeds' one chunk and says so."""
import sys

print(f"embedded {sys.argv[1]}")
