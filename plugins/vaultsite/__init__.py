"""vaultsite: publish an Obsidian/Typora notes vault as a static site with MkDocs + Material."""
