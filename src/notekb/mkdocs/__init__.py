"""The MkDocs front door: the plugin (hooks only), the work it hands to helper processes, and the
templates it adds to the theme."""
