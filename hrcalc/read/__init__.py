"""The input contract and its reader."""
