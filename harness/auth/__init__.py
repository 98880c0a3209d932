"""Authorization: reading challenges and metadata, minting sandbox tokens, discovery."""
