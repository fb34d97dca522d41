"""The figure snapshot: every figure the product shows, compared with the one taken before issue 14."""
